"""ImageNet-1k classifiers (EfficientNet-Lite0, MobileNetV2) on onnxruntime.

Besides the usual centre crop, each photo is also classified whole and in overlapping
quadrants: a news photo often shows several things, and a single 224 px centre crop sees one.
Class probabilities are max-pooled over the views.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .base import InferenceModel, onnx_session

SIZE = 224


@dataclass(frozen=True)
class Normalisation:
    scale: float
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


NORMALISATION = {
    # (x - 127) / 128
    "efficientnet_lite0": Normalisation(1.0, (127.0, 127.0, 127.0), (128.0, 128.0, 128.0)),
    # x / 255, then ImageNet mean/std
    "mobilenet_v2": Normalisation(1 / 255, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
}


def _square(img: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    return img.resize((SIZE, SIZE), Image.Resampling.BILINEAR, box=box)


def views(img: Image.Image) -> list[Image.Image]:
    """Centre crop (the standard ImageNet view), the whole frame squashed, and 4 quadrants."""
    w, h = img.size
    short = min(w, h)
    left, top = (w - short) // 2, (h - short) // 2
    out = [_square(img, (left, top, left + short, top + short)), _square(img, (0, 0, w, h))]
    # Overlapping quadrants, each 60 % of each side.
    qw, qh = int(w * 0.6), int(h * 0.6)
    for x in (0, w - qw):
        for y in (0, h - qh):
            out.append(_square(img, (x, y, x + qw, y + qh)))
    return out


class ImageNetClassifier(InferenceModel):
    version = "1"

    def __init__(self, model_dir, threads: int = 1, arch: str = "efficientnet_lite0") -> None:
        super().__init__(model_dir, threads)
        if arch not in NORMALISATION:
            raise ValueError(f"Unknown classifier {arch!r}; known: {sorted(NORMALISATION)}")
        self.arch = arch
        self.name = f"imagenet/{arch}"

    def load(self) -> None:
        self.session = onnx_session(self._require(f"imagenet/{self.arch}.onnx"), self.threads)
        norm = NORMALISATION[self.arch]
        self._mean = np.array(norm.mean, np.float32).reshape(1, 3, 1, 1)
        self._std = np.array(norm.std, np.float32).reshape(1, 3, 1, 1)
        self._scale = np.float32(norm.scale)

    def _batch(self, crops: list[Image.Image]) -> np.ndarray:
        x = np.stack([np.asarray(c, np.float32) for c in crops]).transpose(0, 3, 1, 2)
        return ((x * self._scale - self._mean) / self._std).astype(np.float32)

    def _predict(self, img: Image.Image) -> tuple[np.ndarray, np.ndarray]:
        """Return (probabilities [n_views, 1000], image embedding [1280] of the centre view)."""
        logits, embedding = self.session.run(
            ["logits", "embedding"], {"image": self._batch(views(img))}
        )
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, embedding[0]


def load_class_names(model_dir) -> list[str]:
    from pathlib import Path

    return Path(model_dir, "imagenet", "classes.txt").read_text().splitlines()
