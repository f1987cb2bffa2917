"""Bytes of a stored image to a decoded Photo, once per analysis, with clear refusals.

Sizes and pixel counts are checked before decoding (MAX_FILE_BYTES, MAX_PIXELS): a corrupt,
truncated or oversized file raises InvalidImage with a sentence saying why.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from photodesk.analysis.analyzers.base import Photo
from photodesk.conf import photodesk_settings
from photodesk.host import image_file


class InvalidImage(ValueError):
    """The file cannot be analysed (corrupt, not an image, too large). Retrying won't help."""


def read_bytes(image: Any) -> bytes:
    field = image_file(image)
    if not field:
        raise InvalidImage("The image has no file.")
    try:
        size = field.size
    except (FileNotFoundError, OSError) as exc:
        raise InvalidImage(f"The file {field.name!r} is missing from storage.") from exc
    limit = photodesk_settings.MAX_FILE_BYTES
    if size > limit:
        raise InvalidImage(f"The file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB.")
    with field.open("rb") as fh:
        return fh.read()


def decode(data: bytes, filename: str = "") -> Photo:
    """Bytes → Photo, with a clear error for anything that is not a usable image."""
    if not data:
        raise InvalidImage("The file is empty.")
    Image.MAX_IMAGE_PIXELS = photodesk_settings.MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        source = Image.open(io.BytesIO(data))
        if source.width * source.height > photodesk_settings.MAX_PIXELS:
            raise InvalidImage(
                f"The image is {source.width}x{source.height} pixels; the limit is "
                f"{photodesk_settings.MAX_PIXELS / 1e6:.0f} megapixels."
            )
        pixels = ImageOps.exif_transpose(source).convert("RGB")
    except UnidentifiedImageError as exc:
        raise InvalidImage(
            f"{filename or 'The file'} is not an image in a supported format "
            "(JPEG, PNG, WebP, TIFF, HEIC)."
        ) from exc
    except Image.DecompressionBombError as exc:
        raise InvalidImage(f"The image has too many pixels to analyse safely: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, InvalidImage):
            raise
        raise InvalidImage(f"The image file is damaged or truncated ({exc}).") from exc
    return Photo(pixels=pixels, source=source, filename=filename)
