"""The focal region of a photo: the part every crop should keep.

From what analysis already found: faces (a named person outranks unnamed faces, a big face a
small one, and a crowd counts less than a few people), lines of text read by OCR, and a cheap
saliency map for photos without faces. Plain functions, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from photodesk.crops.geometry import Box, union

NAMED_WEIGHT = 3.0
# More faces than this and the unnamed ones are a crowd: each counts for less.
CROWD = 5
CROWD_WEIGHT = 0.5
# Faces weighing at least this share of the heaviest face make the focal region.
MAIN_FACE_SHARE = 0.5
# Text lines smaller than this share of the image height are fine print (captions, logos).
MIN_TEXT_HEIGHT = 0.03
# The share of the saliency (and text) mass the focal region holds, centred.
MASS = 0.6


@dataclass(frozen=True)
class FaceIn:
    """A face as the focal region sees it."""

    box: Box
    named: bool = False


@dataclass(frozen=True)
class Focal:
    box: Box
    basis: str  # "faces", "text", "saliency" or "centre"


def face_weights(faces: list[FaceIn]) -> list[float]:
    """How much each face matters: named people most, then by size (relative to the largest
    face), unnamed faces in a crowd least."""
    if not faces:
        return []
    largest = max(f.box.area for f in faces) or 1.0
    crowd = len(faces) > CROWD
    weights = []
    for face in faces:
        base = NAMED_WEIGHT if face.named else (CROWD_WEIGHT if crowd else 1.0)
        weights.append(base * (0.5 + 0.5 * (face.box.area / largest) ** 0.5))
    return weights


def head_and_shoulders(face: Box, width: float, height: float) -> Box:
    """A detector's face box (brows to chin) grown to the head and the top of the shoulders."""
    return face.grow(0.3, 0.45, 0.3, 0.6).clamp(width, height)


def focal_region(
    width: float,
    height: float,
    faces: list[FaceIn] | None = None,
    text: list[Box] | None = None,
    saliency: np.ndarray | None = None,
) -> Focal:
    """The focal rectangle, in the image's pixels, and what it was found from."""
    faces = faces or []
    if faces:
        weights = face_weights(faces)
        top = max(weights)
        main = [f.box for f, w in zip(faces, weights, strict=True) if w >= MAIN_FACE_SHARE * top]
        region = union([head_and_shoulders(b, width, height) for b in main])
        assert region is not None
        return Focal(region, "faces")
    lines = [b for b in (text or []) if b.h >= MIN_TEXT_HEIGHT * height and b.area > 0]
    if saliency is not None and not saliency.sum() > 0:
        saliency = None  # a flat picture (one colour): nothing stands out
    if saliency is None and not lines:
        return Focal(Box(0, 0, width, height), "centre")
    mass = _mass(width, height, lines, saliency)
    return Focal(_mass_box(mass, width, height), "text" if lines else "saliency")


def _mass(width: float, height: float, lines: list[Box], saliency: np.ndarray | None) -> np.ndarray:
    """Saliency and text as one map (rows × columns) summing to 1; text holds half of it."""
    rows, cols = saliency.shape if saliency is not None else (48, 64)
    total = np.zeros((rows, cols))
    if saliency is not None and saliency.sum() > 0:
        total += saliency / saliency.sum()
    if lines:
        text = np.zeros((rows, cols))
        for b in lines:
            x1, x2 = int(b.x / width * cols), int(np.ceil(b.x2 / width * cols))
            y1, y2 = int(b.y / height * rows), int(np.ceil(b.y2 / height * rows))
            text[max(y1, 0) : max(y2, y1 + 1), max(x1, 0) : max(x2, x1 + 1)] = 1.0
        total += text / text.sum() * (1.0 if total.sum() > 0 else 2.0)
    return total / total.sum()


def _mass_box(mass: np.ndarray, width: float, height: float) -> Box:
    """The box between the (1 - MASS) / 2 and (1 + MASS) / 2 quantiles of each marginal."""
    rows, cols = mass.shape
    low, high = (1 - MASS) / 2, (1 + MASS) / 2
    x1, x2 = _quantiles(mass.sum(axis=0), low, high)
    y1, y2 = _quantiles(mass.sum(axis=1), low, high)
    return Box(
        x1 / cols * width, y1 / rows * height, (x2 - x1) / cols * width, (y2 - y1) / rows * height
    )


def _quantiles(marginal: np.ndarray, low: float, high: float) -> tuple[float, float]:
    cumulative = np.concatenate([[0.0], np.cumsum(marginal)])
    cells = np.arange(len(cumulative), dtype=float)
    start, end = np.interp([low, high], cumulative, cells)
    return float(start), float(max(end, start + 1))
