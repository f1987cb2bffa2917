"""Small JPEG renditions of images for the admin (the suggest panel, the lead image preview).

A rendition is made once with Pillow and kept in the default storage under a name derived from
the file's content, so a new file gets a new rendition and nothing needs invalidating. Reading
and writing go through Django's storage API only, so it works the same on local disk and S3.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage
from PIL import ImageOps
from pillow_heif import register_heif_opener

from photodesk.host import image_file

THUMBNAIL_SIZE = 320  # long edge in pixels: sharp at the panel's card width on a 2x screen
JPEG_QUALITY = 80
# Originals larger than this are not decoded for a thumbnail (the pipeline refuses them too).
MAX_SOURCE_PIXELS = 120_000_000


class RenditionError(ValueError):
    """The original cannot be read or decoded."""


def rendition_name(image: Any, size: int = THUMBNAIL_SIZE) -> str:
    file = image_file(image)
    fingerprint = getattr(image, "content_hash", "") or file.name
    key = hashlib.sha256(f"{file.name}\0{fingerprint}".encode()).hexdigest()[:20]
    return f"renditions/{image.pk}/{key}-{size}.jpg"


def thumbnail_bytes(image: Any, size: int = THUMBNAIL_SIZE) -> bytes:
    """The image's rendition, made and stored on first use."""
    file = image_file(image)
    if not file:
        raise RenditionError(f"Image {image.pk} has no file")
    name = rendition_name(image, size)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    data = make_thumbnail(file, size)
    default_storage.save(name, ContentFile(data))  # a concurrent request may store a twin: fine
    return data


def make_thumbnail(file: Any, size: int = THUMBNAIL_SIZE) -> bytes:
    register_heif_opener()  # HEIC originals; idempotent
    try:
        with file.open("rb") as source:
            photo = PILImage.open(source)
            if photo.width * photo.height > MAX_SOURCE_PIXELS:
                raise RenditionError("The original is too large to preview")
            # JPEG: let the decoder scale down while decoding (much faster on big photos).
            photo.draft("RGB", (size * 2, size * 2))
            photo = ImageOps.exif_transpose(photo)
            photo.thumbnail((size, size), PILImage.Resampling.LANCZOS)
            if photo.mode != "RGB":
                photo = photo.convert("RGB")
            buffer = io.BytesIO()
            photo.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    except (OSError, SyntaxError, PILImage.DecompressionBombError) as exc:
        raise RenditionError(f"Cannot read the image: {exc}") from exc
    return buffer.getvalue()
