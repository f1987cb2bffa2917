"""Cropped renditions: the image cut to a named ratio's crop, scaled, stored once.

Like the admin's thumbnails, a rendition is kept in the default storage under a name derived
from the file and the crop box, so a new file or a moved focal region gives a new name and
nothing needs invalidating. Only Django's storage API is used (local disk or S3).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from photodesk.crops.geometry import Box
from photodesk.host import image_file

JPEG_QUALITY = 82
# Originals larger than this are not decoded for a rendition (the pipeline refuses them too).
MAX_SOURCE_PIXELS = 120_000_000


class RenditionError(ValueError):
    """The original cannot be read or decoded."""


def open_upright(image: Any, draft: int | None = None) -> Image.Image:
    """The image's pixels, EXIF orientation applied (the space focal regions are in).
    `draft`: a JPEG may be decoded at a reduced scale, at least this many pixels wide."""
    register_heif_opener()  # HEIC originals; idempotent
    file = image_file(image)
    if not file:
        raise RenditionError(f"Image {image.pk} has no file")
    try:
        with file.open("rb") as source:
            photo = Image.open(source)
            if photo.width * photo.height > MAX_SOURCE_PIXELS:
                raise RenditionError("The original is too large")
            if draft:
                photo.draft("RGB", (draft, draft))
            photo = ImageOps.exif_transpose(photo)
            photo.load()
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise RenditionError(f"Cannot read the image: {exc}") from exc
    return photo if photo.mode == "RGB" else photo.convert("RGB")


def upright_size(image: Any) -> tuple[int, int]:
    """Width and height of the upright image, read from its header."""
    register_heif_opener()  # HEIC originals; idempotent
    file = image_file(image)
    if not file:
        raise RenditionError(f"Image {image.pk} has no file")
    try:
        with file.open("rb") as source:
            photo = Image.open(source)
            width, height = photo.size
            orientation = photo.getexif().get(0x0112, 1)
    except (OSError, SyntaxError) as exc:
        raise RenditionError(f"Cannot read the image: {exc}") from exc
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def rendition_name(image: Any, box: Box, size: int) -> str:
    file = image_file(image)
    fingerprint = getattr(image, "content_hash", "") or file.name
    key = hashlib.sha256(f"{file.name}\0{fingerprint}\0{box.rounded()}".encode()).hexdigest()
    return f"renditions/{image.pk}/crop-{key[:20]}-{size}.jpg"


def crop_bytes(image: Any, box: Box, image_size: tuple[int, int], size: int) -> bytes:
    """The crop `box` (in pixels of the upright image of `image_size`) scaled to fit `size`
    on its long side, made and stored on first use."""
    name = rendition_name(image, box, size)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    data = make_crop(image, box, image_size, size)
    default_storage.save(name, ContentFile(data))  # a concurrent request may store a twin: fine
    return data


def make_crop(image: Any, box: Box, image_size: tuple[int, int], size: int) -> bytes:
    scale_needed = max(box.w, box.h) / size  # the crop is this many times the rendition
    photo = open_upright(image, draft=round(max(image_size) / max(scale_needed, 1.0)))
    # A JPEG decoded in draft mode is smaller than the original: scale the box to it.
    sx, sy = photo.width / image_size[0], photo.height / image_size[1]
    left, top = box.x * sx, box.y * sy
    region = photo.crop(
        (round(left), round(top), round(left + box.w * sx), round(top + box.h * sy))
    )
    region.thumbnail((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    region.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
