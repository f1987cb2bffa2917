"""A perceptual hash (pHash): 64 bits that stay nearly the same when a picture is resized,
re-encoded or lightly marked, and differ in about half their bits between unrelated pictures.

The picture is shrunk to 32x32 grey levels; the 8x8 lowest frequencies of its 2-D DCT, each
compared with their median, give the bits. Pure numpy: no Django, no model.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from PIL import Image, ImageOps

HASH_SIZE = 8
_ORIENTATION = 0x0112  # the EXIF tag
_SAMPLE = HASH_SIZE * 4


@cache
def _dct_matrix(n: int) -> np.ndarray:
    """The orthonormal DCT-II basis: `m @ x` is the DCT of the column vector x."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2 / n)
    m[0] /= np.sqrt(2)
    return m


def phash(img: Image.Image) -> int:
    """The 64-bit perceptual hash of `img`, as a signed int (fits a BigIntegerField)."""
    grey = img.convert("L").resize((_SAMPLE, _SAMPLE), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.float64)
    m = _dct_matrix(_SAMPLE)
    low = (m @ pixels @ m.T)[:HASH_SIZE, :HASH_SIZE].ravel()
    # The DC term says only how bright the picture is: leave it out of the median.
    bits = low > np.median(low[1:])
    value = int("".join("1" if b else "0" for b in bits), 2)
    return value - (1 << 64) if value >= 1 << 63 else value


def phash_of_bytes(data: bytes) -> int:
    """The hash of an encoded image."""
    return read_print(data)[0]


def read_print(data: bytes) -> tuple[int, int, int]:
    """(hash, width, height) of an encoded image, as displayed (EXIF orientation applied).
    JPEGs decode at a reduced scale (draft mode): the hash needs 32x32 pixels."""
    with Image.open(io.BytesIO(data)) as source:
        width, height = source.size
        # EXIF orientations 5-8 turn the picture a quarter: displayed, its sides swap.
        if source.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8):
            width, height = height, width
        source.draft("L", (_SAMPLE * 4, _SAMPLE * 4))
        return phash(ImageOps.exif_transpose(source)), width, height


def hamming(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def hammings(target: int, others: np.ndarray) -> np.ndarray:
    """Bits differing between `target` and each hash of `others` (int64 array), vectorised."""
    x = np.bitwise_xor(others.astype(np.int64), np.int64(target)).view(np.uint64)
    # Popcount by bytes: numpy < 2 has no bitwise_count.
    as_bytes = x.view(np.uint8).reshape(-1, 8)
    return np.unpackbits(as_bytes, axis=1).sum(axis=1)
