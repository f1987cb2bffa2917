"""The best frame of a series: measures of one frame, and parts of its score within its series.

A frame's measures are absolute (Laplacian variance, clipped share, face side, eye aspect
ratios, how happy the faces look); most parts compare them with the series' other frames,
since frames of one scene differ in little but these: the sharpest frame gets sharpness 1,
the widest-open eyes get eyes_open 1. A part no frame of the series can have (no faces) is
None and left out of the score; a frame without a face in a series with faces scores 0 there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodesk.inference.eyes import EyeOpenness
from photodesk.inference.faces import laplacian_variance

# Sharpness is measured on the grey image brought to this long side, so it compares frames of
# any size (a burst's frames share theirs; a resized copy must not look sharper).
SHARPNESS_SIDE = 640
# A pixel this dark or bright has lost its detail; a frame with CLIPPED_FULL of them clipped
# scores exposure 0 (measured on the demo photos: well exposed ones clip under 5 %).
CLIP_LOW, CLIP_HIGH, CLIPPED_FULL = 3, 252, 0.25
# Eye aspect ratios measured with this mesh model (benchmarks/eyes.py, 20 open faces from the
# shared photos, 21 closed ones: 1 real, 20 synthetic): open 0.17-0.42, closed 0.10-0.29. The
# absolute reading separates them only at 83 % (best single cut, 0.25 = EYES_OPEN_EAR); within
# a series, the same face with shut eyes reads lower by >= EYES_SERIES_MARGIN in 85 % of pairs
# (median ratio 0.67). So eyes_open compares frames: 0 at EYES_CLOSED_EAR (below any open eye
# measured), 1 at the series' widest-open frame.
EYES_CLOSED_EAR = 0.15
EYES_OPEN_EAR = 0.25
EYES_SERIES_MARGIN = 0.15
# Faces smaller than this (short side, pixels) carry no usable eye landmarks.
EYES_MIN_FACE_PX = 40
# The faces that count: the largest few (a crowd behind does not decide the pick).
MAIN_FACES = 3


@dataclass
class FaceFacts:
    box: list[int]
    expression: str = ""
    expression_confidence: float | None = None


def measure(img: Image.Image, faces: Sequence[FaceFacts], eyes: EyeOpenness | None) -> dict:
    """The absolute measures of one frame (JSON-able; stored in SeriesMember.measures)."""
    grey = img.convert("L")
    scale = SHARPNESS_SIDE / max(grey.size)
    small = grey.resize(
        (max(3, round(grey.width * scale)), max(3, round(grey.height * scale))),
        Image.Resampling.BOX,
    )
    pixels = np.asarray(grey)
    clipped = float(((pixels <= CLIP_LOW) | (pixels >= CLIP_HIGH)).mean())
    main = sorted(faces, key=lambda f: -min(f.box[2], f.box[3]))[:MAIN_FACES]
    out: dict = {
        "laplacian_variance": round(laplacian_variance(np.asarray(small)), 2),
        "clipped": round(clipped, 4),
        "faces": len(faces),
        "face_side": (
            round(min(main[0].box[2], main[0].box[3]) / min(img.size), 4) if main else None
        ),
        "happy": (
            round(
                float(
                    np.mean(
                        [
                            (f.expression_confidence or 0.0) if f.expression == "happy" else 0.0
                            for f in main
                        ]
                    )
                ),
                3,
            )
            if main
            else None
        ),
    }
    if eyes is not None:
        ears = [
            eyes.predict(img, f.box).openness
            for f in main
            if min(f.box[2], f.box[3]) >= EYES_MIN_FACE_PX
        ]
        out["eye_aspect_ratios"] = ears
    return out


PARTS = ("sharpness", "exposure", "face_size", "eyes_open", "smile")


def _relative(values: list[float | None], floor: float = 0.0) -> list[float | None]:
    """Each value as a share of the series' best (above `floor`); missing ones are 0 when
    some frame has one, and all None when none has."""
    known = [v for v in values if v is not None]
    if not known:
        return [None] * len(values)
    top = max(known)
    if top <= floor:
        return [0.0 if v is None else 1.0 for v in values]
    return [
        0.0 if v is None else round(float(np.clip((v - floor) / (top - floor), 0, 1)), 3)
        for v in values
    ]


def parts(series_measures: Sequence[dict]) -> list[dict[str, float | None]]:
    """The score parts of each frame of one series, from the frames' measures."""
    sharp = _relative(
        [
            np.sqrt(m["laplacian_variance"]) if "laplacian_variance" in m else None
            for m in series_measures
        ]
    )
    exposure = [
        round(1 - min(1.0, m.get("clipped", 0.0) / CLIPPED_FULL), 3) for m in series_measures
    ]
    face_size = _relative([m.get("face_side") for m in series_measures])
    any_faces = any(m.get("face_side") for m in series_measures)
    smile = [(m.get("happy") or 0.0) if any_faces else None for m in series_measures]
    eyes_known = any_faces and any(m.get("eye_aspect_ratios") for m in series_measures)
    ears = [
        float(np.mean(m["eye_aspect_ratios"])) if m.get("eye_aspect_ratios") else None
        for m in series_measures
    ]
    eyes_open = _relative(ears, floor=EYES_CLOSED_EAR) if eyes_known else [None] * len(ears)
    return [
        {
            "sharpness": sharp[i],
            "exposure": exposure[i],
            "face_size": face_size[i],
            "eyes_open": eyes_open[i],
            "smile": None if smile[i] is None else round(smile[i], 3),
        }
        for i in range(len(series_measures))
    ]


def score(frame_parts: dict[str, float | None], weights: dict[str, float]) -> float:
    """The weighted mean of the parts that are known."""
    known = [(weights.get(k, 0.0), v) for k, v in frame_parts.items() if v is not None]
    total = sum(w for w, _ in known)
    return round(sum(w * v for w, v in known) / total, 4) if total else 0.0
