"""Shots from sampled frames, cheaply: a cut where the colour histograms of two consecutive
sampled frames differ by more than VIDEO_SHOT_THRESHOLD (half the L1 distance of normalised
8x8x8 RGB histograms, 0-1). Each shot, or each slice of at most `max_seconds` of a long one,
keeps one frame: its sharpest (variance of the Laplacian), the one analysed. Only that frame
is held while a segment runs, so memory does not grow with the video's length. Pure: no
Django, no models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

BINS = 8
SMALL = (64, 36)  # enough for a histogram and a sharpness estimate


def histogram(image: Image.Image) -> np.ndarray:
    pixels = np.asarray(image.convert("RGB").resize(SMALL), np.uint8) // (256 // BINS)
    codes = (pixels[..., 0].astype(np.int32) * BINS + pixels[..., 1]) * BINS + pixels[..., 2]
    counts = np.bincount(codes.ravel(), minlength=BINS**3).astype(np.float32)
    return counts / counts.sum()


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).sum() / 2)


def sharpness(image: Image.Image) -> float:
    """Variance of the Laplacian of a grey 320-px copy: higher is sharper."""
    grey = image.convert("L")
    grey.thumbnail((320, 320))
    g = np.asarray(grey, np.float32)
    if g.shape[0] < 3 or g.shape[1] < 3:
        return 0.0
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


@dataclass
class Segment:
    shot: int  # the shot number (slices of one long shot share it)
    start: float
    end: float
    frame_time: float
    image: Image.Image
    sharpness: float


class Segmenter:
    """Feed sampled frames in time order (`push`); completed segments come out as soon as
    they are known, the last one from `finish`."""

    def __init__(self, threshold: float, max_seconds: float) -> None:
        self.threshold = threshold
        self.max_seconds = max_seconds
        self.shot = 0
        self.start = 0.0
        self.previous: tuple[float, np.ndarray] | None = None
        self.best: tuple[float, float, Image.Image] | None = None  # (sharpness, time, image)

    def push(self, time: float, image: Image.Image) -> Iterator[Segment]:
        hist = histogram(image)
        if self.previous is not None:
            last_time, last_hist = self.previous
            if distance(hist, last_hist) > self.threshold:
                # The cut lies between the two samples: the midpoint halves the error.
                yield self._close(round((last_time + time) / 2, 3))
                self.shot += 1
            elif time - self.start >= self.max_seconds:
                yield self._close(time)
        self.previous = (time, hist)
        score = sharpness(image)
        if self.best is None or score > self.best[0]:
            self.best = (score, time, image)

    def finish(self, end: float) -> Iterator[Segment]:
        if self.best is not None:
            yield self._close(max(end, self.best[1]))

    def _close(self, end: float) -> Segment:
        score, time, image = self.best
        segment = Segment(self.shot, self.start, end, time, image, score)
        self.start, self.best = end, None
        return segment
