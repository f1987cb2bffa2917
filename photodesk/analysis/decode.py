"""Bytes of a stored image to a decoded Photo, once per analysis, with clear refusals.

Sizes and pixel counts are checked before decoding (MAX_FILE_BYTES, MAX_PIXELS): a corrupt,
truncated or oversized file raises InvalidImage with a sentence saying why.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from photodesk.analysis.analyzers.base import WORKING_SIDE, Photo, at_most
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
    """Bytes → Photo, with a clear error for anything that is not a usable image.

    A JPEG more than twice WORKING_SIDE long is decoded at a reduced scale (the decoder's
    draft mode: 1/2, 1/4 or 1/8 of the DCT) for the shared working copy; its full size is
    decoded later, only if an analyzer asks for `photo.pixels`."""
    if not data:
        raise InvalidImage("The file is empty.")
    Image.MAX_IMAGE_PIXELS = photodesk_settings.MAX_PIXELS
    with _refusals(filename):
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        source = Image.open(io.BytesIO(data))
        if source.width * source.height > photodesk_settings.MAX_PIXELS:
            raise InvalidImage(
                f"The image is {source.width}x{source.height} pixels; the limit is "
                f"{photodesk_settings.MAX_PIXELS / 1e6:.0f} megapixels."
            )
        if source.format == "JPEG" and max(source.size) >= 2 * WORKING_SIDE:
            return _drafted(data, source, filename)
        pixels = _upright(source)
    return Photo(pixels=pixels, source=source, filename=filename)


def _drafted(data: bytes, source: Image.Image, filename: str) -> Photo:
    # A second decoder: `source` stays the file as opened (its size, EXIF and IPTC).
    reduced = Image.open(io.BytesIO(data))
    # The decoder picks the smallest scale still at least this size: the working copy is
    # never upsampled.
    scale = WORKING_SIDE / max(reduced.size)
    reduced.draft("RGB", (math.ceil(reduced.width * scale), math.ceil(reduced.height * scale)))
    reduced.load()
    # Turned in place (no copy): `reduced` is this function's own.
    working = ImageOps.exif_transpose(reduced, in_place=True) or reduced
    if working.mode != "RGB":
        working = working.convert("RGB")
    working = at_most(working, WORKING_SIDE, reducing_gap=2.0)
    orientation = source.getexif().get(0x0112, 1)
    width, height = source.size
    upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)

    def full() -> Image.Image:
        with _refusals(filename):
            return _upright(Image.open(io.BytesIO(data)))

    return Photo(source=source, filename=filename, working=working, size=upright, load=full)


def _upright(img: Image.Image) -> Image.Image:
    return ImageOps.exif_transpose(img).convert("RGB")


@contextmanager
def _refusals(filename: str) -> Iterator[None]:
    """Pillow's errors as InvalidImage with a sentence saying what is wrong."""
    try:
        yield
    except InvalidImage:
        raise
    except UnidentifiedImageError as exc:
        raise InvalidImage(
            f"{filename or 'The file'} is not an image in a supported format "
            "(JPEG, PNG, WebP, TIFF, HEIC)."
        ) from exc
    except Image.DecompressionBombError as exc:
        raise InvalidImage(f"The image has too many pixels to analyse safely: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage(f"The image file is damaged or truncated ({exc}).") from exc
