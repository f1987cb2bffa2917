"""Generated bursts: frames of one photo as a camera takes them seconds apart (a small shift,
zoom and tilt, a little change of light), one blurred by motion, one with closed eyes.

Closed eyes are an occluding patch: each eye's outline (from the face mesh of the open frame)
is filled with the skin colour below it and crossed by a dark lid line, as a closed lid looks
from the front. Nothing is written into the project: frames go where the caller says.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

# Face-mesh eye outlines (MediaPipe's canonical face model), lid corner first.
RIGHT_EYE_OUTLINE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE_OUTLINE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)


def close_eyes(img: Image.Image, points: np.ndarray) -> Image.Image:
    """`img` with both eyes shut: `points` are the 468 face-mesh points in its pixels."""
    out = img.convert("RGB").copy()
    arr = np.asarray(out)
    for outline in (RIGHT_EYE_OUTLINE, LEFT_EYE_OUTLINE):
        pts = points[list(outline)]
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        x0, y0, x1, y1 = (float(v) for v in (x0, y0, x1, y1))
        w, h = x1 - x0, y1 - y0
        # Skin: the cheek just below the eye.
        cheek = arr[
            int(min(arr.shape[0] - 2, y1 + h * 0.8)) : int(min(arr.shape[0] - 1, y1 + h * 2.0)),
            int(max(0, x0 + w * 0.2)) : int(max(1, x1 - w * 0.2)),
        ]
        skin = (
            tuple(int(c) for c in np.median(cheek.reshape(-1, 3), axis=0))
            if cheek.size
            else (180, 140, 120)
        )
        patch = Image.new("L", out.size, 0)
        ImageDraw.Draw(patch).ellipse(
            (x0 - w * 0.15, y0 - h * 0.6, x1 + w * 0.15, y1 + h * 0.4), fill=255
        )
        patch = patch.filter(ImageFilter.GaussianBlur(max(1.0, h * 0.25)))
        out.paste(Image.new("RGB", out.size, skin), (0, 0), patch)
        # The closed lid: a dark, slightly curved line where the lower lid was.
        lid = [
            (x0 + w * t, y1 - h * 0.3 + h * 0.25 * np.sin(np.pi * t)) for t in np.linspace(0, 1, 9)
        ]
        shade = tuple(max(0, c - 90) for c in skin)
        ImageDraw.Draw(out).line(lid, fill=shade, width=max(1, round(h * 0.2)))
    return out


def frame(img: Image.Image, rng: random.Random) -> Image.Image:
    """One more frame of the same scene: shifted by up to 3 %, zoomed by up to 3 %, tilted by
    up to 1.5 degrees, light changed by up to 6 %."""
    w, h = img.size
    zoom = 1 + rng.uniform(0, 0.03)
    dx, dy = rng.uniform(-0.03, 0.03) * w, rng.uniform(-0.03, 0.03) * h
    cw, ch = w / zoom, h / zoom
    left, top = (w - cw) / 2 + dx, (h - ch) / 2 + dy
    left, top = min(max(0, left), w - cw), min(max(0, top), h - ch)
    out = img.rotate(rng.uniform(-1.5, 1.5), resample=Image.Resampling.BILINEAR)
    out = out.crop((round(left), round(top), round(left + cw), round(top + ch))).resize((w, h))
    return ImageEnhance.Brightness(out).enhance(rng.uniform(0.94, 1.06))


def motion_blur(img: Image.Image, length: int = 15) -> Image.Image:
    """A horizontal camera shake of `length` pixels."""
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    acc = np.zeros_like(arr)
    for s in range(length):
        acc += np.roll(arr, s - length // 2, axis=1)
    return Image.fromarray((acc / length).clip(0, 255).astype(np.uint8))


def save_with_time(
    img: Image.Image, path: Path, taken: dt.datetime | None, camera: str = "Canon EOS R6"
) -> Path:
    """A JPEG with EXIF DateTimeOriginal and camera make/model (as a camera writes them)."""
    exif = Image.Exif()
    if taken is not None:
        exif[0x0110] = camera  # Model
        exif[0x010F] = camera.split()[0]  # Make
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    img.convert("RGB").save(path, "JPEG", quality=92, exif=exif)
    return path
