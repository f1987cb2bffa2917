"""Boxes and crop windows: the largest window of an aspect ratio that keeps the focal region
and never cuts a face in half when some window does not. Plain functions, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the upright (EXIF-rotated) image."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def of(cls, value: list | tuple) -> Box:
        """From [x, y, w, h] or a polygon [[x, y], ...] (OCR lines keep four corners)."""
        if value and isinstance(value[0], list | tuple):
            xs = [float(p[0]) for p in value]
            ys = [float(p[1]) for p in value]
            return cls(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        x, y, w, h = (float(v) for v in value)
        return cls(x, y, w, h)

    @property
    def x2(self) -> float:
        return self.x + self.w

    @property
    def y2(self) -> float:
        return self.y + self.h

    @property
    def area(self) -> float:
        return max(self.w, 0.0) * max(self.h, 0.0)

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2

    def rounded(self) -> list[int]:
        return [round(self.x), round(self.y), round(self.w), round(self.h)]

    def clamp(self, width: float, height: float) -> Box:
        x, y = min(max(self.x, 0.0), width), min(max(self.y, 0.0), height)
        return Box(x, y, min(self.x2, width) - x, min(self.y2, height) - y)

    def grow(self, left: float, top: float, right: float, bottom: float) -> Box:
        """Larger by these fractions of its own width (left/right) and height (top/bottom)."""
        return Box(
            self.x - self.w * left,
            self.y - self.h * top,
            self.w * (1 + left + right),
            self.h * (1 + top + bottom),
        )

    def intersection(self, other: Box) -> float:
        w = min(self.x2, other.x2) - max(self.x, other.x)
        h = min(self.y2, other.y2) - max(self.y, other.y)
        return max(w, 0.0) * max(h, 0.0)

    def contains(self, other: Box) -> bool:
        return (
            self.x <= other.x and self.y <= other.y and self.x2 >= other.x2 and self.y2 >= other.y2
        )

    def cuts(self, other: Box) -> bool:
        """`other` is partly inside this box and partly outside it (a face cut in half)."""
        return self.intersection(other) > 0 and not self.contains(other)


def union(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    x, y = min(b.x for b in boxes), min(b.y for b in boxes)
    return Box(x, y, max(b.x2 for b in boxes) - x, max(b.y2 for b in boxes) - y)


def parse_ratio(name: str) -> Fraction:
    """ "16:9" → 16/9. Raises ValueError for anything else."""
    try:
        w, h = (int(part) for part in str(name).split(":"))
    except ValueError:
        raise ValueError(f"Not an aspect ratio: {name!r} (write it like 16:9)") from None
    if w <= 0 or h <= 0:
        raise ValueError(f"Not an aspect ratio: {name!r} (both sides must be positive)")
    return Fraction(w, h)


def largest_window(width: float, height: float, ratio: float) -> tuple[float, float]:
    """The size of the largest window of `ratio` (width / height) inside the image."""
    if width / height > ratio:
        return height * ratio, height
    return width, width / ratio


def centre_crop(width: float, height: float, ratio: float) -> Box:
    w, h = largest_window(width, height, ratio)
    return Box((width - w) / 2, (height - h) / 2, w, h)


# Window sizes tried, as shares of the largest window: below the last, cutting a face is
# accepted rather than making a thumbnail of a detail.
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)


def crop_window(
    width: float,
    height: float,
    ratio: float,
    focal: Box | None = None,
    faces: list[Box] | None = None,
    weights: list[float] | None = None,
) -> Box:
    """The crop of `ratio` (width / height) to use for an image of `width` × `height`.

    In order of priority: cut no face (a face is wholly inside or wholly outside; with
    `weights`, an important face's cut counts more), keep as many (as much weight of) faces
    as possible, keep as much of the focal region as possible, be as large as possible, and
    be centred on the focal region. Without faces or focal region: the centre crop.
    """
    faces = faces or []
    weights = list(weights) if weights else [1.0] * len(faces)
    if len(weights) != len(faces):
        raise ValueError("One weight per face")
    if focal is None and not faces:
        return centre_crop(width, height, ratio)
    target = focal or union(faces)
    assert target is not None
    cx, cy = target.centre
    full_w, full_h = largest_window(width, height, ratio)

    fx1 = np.array([f.x for f in faces])
    fy1 = np.array([f.y for f in faces])
    fx2 = np.array([f.x2 for f in faces])
    fy2 = np.array([f.y2 for f in faces])
    weight = np.array(weights, dtype=float)

    best_key: tuple | None = None
    best: Box | None = None
    for scale in SCALES:
        w, h = full_w * scale, full_h * scale
        xs = _positions(width, w, cx, [target.x, target.x2], fx1, fx2)
        ys = _positions(height, h, cy, [target.y, target.y2], fy1, fy2)
        # Per face and position: the face is inside the window / outside it, on each axis.
        in_x = (xs[None, :] <= fx1[:, None]) & (xs[None, :] + w >= fx2[:, None])
        out_x = (xs[None, :] + w <= fx1[:, None]) | (xs[None, :] >= fx2[:, None])
        in_y = (ys[None, :] <= fy1[:, None]) & (ys[None, :] + h >= fy2[:, None])
        out_y = (ys[None, :] + h <= fy1[:, None]) | (ys[None, :] >= fy2[:, None])
        inside = in_x[:, :, None] & in_y[:, None, :]  # face × x × y
        outside = out_x[:, :, None] | out_y[:, None, :]
        cut = ~inside & ~outside
        w3 = weight[:, None, None]
        cut_weight = (cut * w3).sum(axis=0) if faces else np.zeros((len(xs), len(ys)))
        kept_weight = (inside * w3).sum(axis=0) if faces else np.zeros((len(xs), len(ys)))
        # Share of the focal region inside the window.
        ox = np.clip(np.minimum(xs + w, target.x2) - np.maximum(xs, target.x), 0, None)
        oy = np.clip(np.minimum(ys + h, target.y2) - np.maximum(ys, target.y), 0, None)
        kept_focal = (ox[:, None] * oy[None, :]) / max(target.area, 1e-9)
        off = np.hypot((xs + w / 2 - cx)[:, None], (ys + h / 2 - cy)[None, :])
        # Lexicographic choice, rounded so that near-ties go to the next criterion.
        score = np.lexsort(
            (
                off.ravel(),
                -np.round(kept_focal.ravel(), 2),
                -np.round(kept_weight.ravel(), 6),
                np.round(cut_weight.ravel(), 6),
            )
        )[0]
        i, j = divmod(int(score), len(ys))
        key = (
            round(float(cut_weight[i, j]), 6),
            -round(float(kept_weight[i, j]), 6),
            -round(float(kept_focal[i, j]), 2),
            -scale,
            float(off[i, j]),
        )
        if best_key is None or key < best_key:
            best_key, best = key, Box(float(xs[i]), float(ys[j]), w, h)
        if key[0] == 0 and key[2] == -1.0 and (not faces or key[1] == -weight.sum()):
            break  # nothing cut, everything kept: a smaller window cannot do better
    assert best is not None
    return best


def _positions(
    extent: float, size: float, centre: float, edges: list[float], a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """The window starts worth trying along one axis: where an edge of the window meets an
    edge of a face or of the focal region, centred on the focal region, and the two ends."""
    room = extent - size
    if room <= 0:
        return np.array([0.0])
    starts = [0.0, room, centre - size / 2]
    for edge in [*edges, *a.tolist(), *b.tolist()]:
        starts += [edge, edge - size]
    return np.unique(np.clip(np.array(starts, dtype=float), 0.0, room))
