"""Decoding at the size the analyzers need: a camera-sized JPEG gives the models one shared
working copy (decoded at a reduced scale) while every stored box stays in the original's
pixels, and a damaged large file is still refused with a sentence."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from photodesk.analysis.analyzers.base import WORKING_SIDE
from photodesk.analysis.analyzers.faces import detect_faces
from photodesk.analysis.decode import InvalidImage, decode

from .conftest import DEMO_PHOTOS

ASTRONAUT = DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg"


def jpeg(img: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def enlarged(factor: int) -> bytes:
    with Image.open(ASTRONAUT) as img:
        big = img.convert("RGB").resize((img.width * factor, img.height * factor))
    return jpeg(big)


def test_a_large_jpeg_gives_a_small_working_copy_and_its_full_size_on_demand():
    exif = Image.Exif()
    exif[0x0112] = 6  # shot rotated: upright it is taller than wide
    photo = decode(jpeg(Image.new("RGB", (3000, 2000), (90, 120, 200)), exif=exif), "big.jpg")

    assert photo.size == (2000, 3000)
    assert max(photo.working.size) == WORKING_SIDE
    assert photo.working.height > photo.working.width
    assert photo.working_scale == pytest.approx(WORKING_SIDE / 3000, abs=1e-3)
    assert photo.pixels.size == (2000, 3000)
    assert photo.source.size == (3000, 2000)  # the file as stored, for its metadata


def test_a_photo_within_the_working_size_is_its_own_working_copy():
    photo = decode(ASTRONAUT.read_bytes(), ASTRONAUT.name)
    assert photo.working is photo.pixels
    assert photo.working_scale == 1


def test_faces_on_a_large_photo_are_boxed_in_its_own_pixels():
    small = detect_faces(decode(ASTRONAUT.read_bytes()), with_embeddings=False)
    large = detect_faces(decode(enlarged(4)), with_embeddings=False)

    assert len(small) == len(large) == 1
    # The detector sees the two at different scales: within a tenth of the face's size.
    side = 4 * small[0]["box"][2]
    for a, b in zip(small[0]["box"], large[0]["box"], strict=True):
        assert b == pytest.approx(4 * a, abs=side / 10)


def test_a_truncated_large_jpeg_is_refused_with_a_sentence():
    data = jpeg(Image.new("RGB", (3000, 2000), (90, 120, 200)))
    with pytest.raises(InvalidImage, match="damaged or truncated"):
        decode(data[: len(data) // 2], "cut.jpg")
