"""Copies of a photo as the benchmark makes them (benchmarks/duplicates.py): resized,
re-encoded at JPEG quality 40, cropped by 10 %, a text band over it."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .conftest import EVAL_PHOTOS

KINDS = ("resize", "jpeg40", "crop10", "text")
# Eval photos that are not among the demo photos (which the session's archive holds).
ORIGINAL = EVAL_PHOTOS / "images" / "coco_val2017_000000010092.jpg"
DISTINCT = [
    EVAL_PHOTOS / "images" / "coco_val2017_000000010363.jpg",
    EVAL_PHOTOS / "images" / "flickr8k_1408958345_68eea9a4e4.jpg",
]


def copy_of(path: Path, kind: str) -> bytes:
    img = Image.open(path).convert("RGB")
    w, h = img.size
    quality = 90
    if kind == "resize":
        img = img.resize((w // 2, h // 2), Image.Resampling.LANCZOS)
    elif kind == "jpeg40":
        quality = 40
    elif kind == "crop10":
        img = img.crop((round(0.06 * w), round(0.04 * h), round(0.96 * w), round(0.94 * h)))
    elif kind == "text":
        draw = ImageDraw.Draw(img, "RGBA")
        band = h // 8
        draw.rectangle((0, h - band, w, h), fill=(0, 0, 0, 150))
        font = ImageFont.load_default(size=max(10, band // 2))
        draw.text((band // 3, h - band + band // 5), "© NEWS AGENCY", fill="white", font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()
