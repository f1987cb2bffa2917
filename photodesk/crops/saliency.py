"""Cheap saliency maps: where the eye goes in a photo without faces, from its pixels alone.

Two maps, both on a small grey copy (a few milliseconds): the spectral residual of Hou and
Zhang (2007), and an edge/contrast map (gradient magnitude). Which one the focal region uses is
the CROP_SALIENCY setting; benchmarks/crops.py measures both (how often each finds the faces of
photos with faces, which neither is told about).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# The long side of the grey copy the maps are computed on (Hou and Zhang use 64).
SIDE = 64
METHODS = ("spectral", "edges")
# A grey copy varying less than this (one grey level) is flat: nothing stands out.
FLAT = 1 / 255


def small_grey(img: Image.Image, side: int = SIDE) -> np.ndarray:
    scale = side / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    # Pillow's integer reduce (block means) first, then the exact box filter: a mean per cell
    # at a fraction of the cost of filtering the full image (24 MP: ~30 ms, not ~170 ms).
    factor = max(1, max(img.size) // (side * 4))
    small = (img.reduce(factor) if factor > 1 else img).resize(size, Image.Resampling.BOX)
    small = small.convert("L")
    return np.asarray(small, dtype=np.float64) / 255.0


def _blur(values: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur (edges repeated); the maps are tiny, numpy is enough."""
    radius = max(1, int(3 * sigma))
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-(offsets**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    padded = np.pad(values, radius, mode="edge")
    rows = sum(
        k * padded[:, radius + o : radius + o + values.shape[1]]
        for k, o in zip(kernel, offsets, strict=True)
    )
    return sum(
        k * rows[radius + o : radius + o + values.shape[0], :]
        for k, o in zip(kernel, offsets, strict=True)
    )


def spectral_residual(img: Image.Image) -> np.ndarray:
    """Hou & Zhang's map: what the log spectrum has beyond its local average is the unusual
    part of the picture; back in space, it lights up the objects that stand out."""
    grey = small_grey(img)
    if grey.std() < FLAT:
        return np.zeros_like(grey)
    spectrum = np.fft.fft2(grey)
    log_amplitude = np.log(np.abs(spectrum) + 1e-9)
    phase = np.angle(spectrum)
    padded = np.pad(log_amplitude, 1, mode="edge")
    local = (
        sum(
            padded[1 + dy : 1 + dy + grey.shape[0], 1 + dx : 1 + dx + grey.shape[1]]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        )
        / 9.0
    )
    residual = log_amplitude - local
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * phase))) ** 2
    return _normalised(_blur(saliency, 2.5))


def edge_contrast(img: Image.Image) -> np.ndarray:
    """Gradient magnitude, blurred: detailed, contrasted parts over flat sky and walls."""
    grey = small_grey(img)
    if grey.std() < FLAT:
        return np.zeros_like(grey)
    gy, gx = np.gradient(grey)
    return _normalised(_blur(np.hypot(gx, gy), 2.0))


def saliency_map(img: Image.Image, method: str = "spectral") -> np.ndarray:
    if method == "spectral":
        return spectral_residual(img)
    if method == "edges":
        return edge_contrast(img)
    raise ValueError(f"Unknown saliency method {method!r} (one of {', '.join(METHODS)})")


def _normalised(values: np.ndarray) -> np.ndarray:
    values = values - values.min()
    top = values.max()
    return values / top if top > 0 else np.zeros_like(values)
