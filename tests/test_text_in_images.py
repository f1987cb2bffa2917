"""Text in images: read where it is, in the photo's own pixels, and nothing where there is none
(the real RapidOCR models; detection runs on a smaller copy than these photos)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from photodesk.conf import photodesk_settings
from photodesk.inference.ocr import DETECT_SIDE, TextReader

from .conftest import DEMO_PHOTOS

SIZE = (2400, 1800)  # larger than the detection copy on both sides


@pytest.fixture(scope="module")
def reader():
    return TextReader(photodesk_settings.model_dir, threads=1)


def photo() -> Image.Image:
    return Image.open(DEMO_PHOTOS / "space_moon_surface.jpg").convert("RGB").resize(SIZE)


def test_a_banner_on_a_large_photo_is_read_with_its_box_in_the_photo_pixels(reader):
    img = photo()
    assert min(img.size) > DETECT_SIDE
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=110)  # about 6 % of the height
    left, top, right, bottom = draw.textbbox((1300, 1400), "HARBOUR BRIDGE", font=font)
    draw.rectangle((left - 30, top - 30, right + 30, bottom + 30), fill="white")
    draw.text((1300, 1400), "HARBOUR BRIDGE", font=font, fill="black")

    lines = reader.predict(img)

    assert [line["text"].replace(" ", "") for line in lines] == ["HARBOURBRIDGE"]
    box = lines[0]["box"]
    xs, ys = [x for x, _ in box], [y for _, y in box]
    # The box lies on the drawn words in the full photo's pixels, not the detection copy's.
    assert left - 40 <= min(xs) <= left + 40 and right - 40 <= max(xs) <= right + 40
    assert top - 40 <= min(ys) and max(ys) <= bottom + 40
    assert lines[0]["confidence"] >= 0.8


def test_a_photo_without_text_yields_no_lines(reader):
    assert reader.predict(photo()) == []


def test_lines_are_in_reading_order(reader):
    img = Image.new("RGB", (1600, 1200), (90, 120, 150))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=80)
    for text, xy in (("SOUTH", (900, 700)), ("NORTH", (200, 200)), ("WEST", (200, 700))):
        left, top, right, bottom = draw.textbbox(xy, text, font=font)
        draw.rectangle((left - 20, top - 20, right + 20, bottom + 20), fill="white")
        draw.text(xy, text, font=font, fill="black")

    assert [line["text"] for line in reader.predict(img)] == ["NORTH", "WEST", "SOUTH"]


def test_the_detection_size_is_a_setting_checked_at_start(settings):
    """A site may trade small text for speed: TEXT_DETECT_SIDE sizes the detection copy (the
    analysis records it in the model's version), and a size the detector cannot use fails the
    system checks instead of every analysis."""
    from django.core import checks

    from photodesk.analysis.analyzers.text import TextAnalyzer

    settings.PHOTODESK = {**settings.PHOTODESK, "TEXT_DETECT_SIDE": 544}
    analyzer = TextAnalyzer()
    model = analyzer.models()[0]
    assert model.detect_side == 544
    assert analyzer.model_versions()[model.name] == "4, detection 544 px"
    img = photo()
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=160)  # large text survives the smaller copy
    draw.rectangle((250, 250, 1900, 500), fill="white")
    draw.text((300, 300), "CITY HALL", font=font, fill="black")
    assert [line["text"].replace(" ", "") for line in model.predict(img)] == ["CITYHALL"]

    assert "photodesk.E140" not in {m.id for m in checks.run_checks()}
    for bad in (40, "736", 5000):
        settings.PHOTODESK = {**settings.PHOTODESK, "TEXT_DETECT_SIDE": bad}
        assert "photodesk.E140" in {m.id for m in checks.run_checks()}
