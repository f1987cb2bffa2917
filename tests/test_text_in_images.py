"""Text in images: read where it is, in the photo's own pixels, and nothing where there is none
(the real RapidOCR models; detection runs on a smaller copy than these photos, and only where
the gate, a look at a still smaller copy, finds text may be)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from photodesk.analysis.analyzers.base import Photo
from photodesk.conf import photodesk_settings
from photodesk.inference.ocr import DETECT_SIDE, WHOLE, TextReader

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


def test_a_photo_without_text_is_not_sent_to_full_detection(reader):
    """The gate's small look finds nothing text-like: the full detection never runs."""
    temple = Image.open(DEMO_PHOTOS / "sklearn_china.jpg").convert("RGB")

    reading = reader.read(temple)

    assert reading.lines == [] and not reading.detected and reading.regions == []


def small_print() -> Image.Image:
    """A street scene with a sign of small words (about 2 % of the photo's height)."""
    img = Image.open(DEMO_PHOTOS / "sklearn_china.jpg").convert("RGB").resize((1600, 1200))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=26)
    left, top, right, bottom = draw.textbbox((1000, 900), "MARKET STREET", font=font)
    draw.rectangle((left - 8, top - 8, right + 8, bottom + 8), fill=(250, 220, 40))
    draw.text((1000, 900), "MARKET STREET", font=font, fill="black")
    return img


@pytest.mark.parametrize("gate", ["photo", "regions"])
def test_small_print_passes_the_gate_and_is_read_where_it_is(gate):
    """The gate sends the photo to full detection (gate "regions": only the part around the
    words), and the words are read with their box in the photo's pixels."""
    reader = TextReader(photodesk_settings.model_dir, threads=1, gate=gate)

    reading = reader.read(small_print())

    assert [line["text"].replace(" ", "") for line in reading.lines] == ["MARKETSTREET"]
    if gate == "photo":
        assert reading.regions == [WHOLE]
    else:
        assert reading.detected and 0 < reading.detected_share < 0.5
    xs = [x for x, _ in reading.lines[0]["box"]]
    assert 975 <= min(xs) <= 1010  # the sign starts at 992, its words at 1000


def test_the_analysis_decodes_a_large_photo_only_when_it_may_hold_text(settings):
    """The gate looks at the analysis's shared working copy: a photo without text is never
    decoded at full size for its text, one with text is, and its words are read."""
    from photodesk.analysis.analyzers.base import at_most
    from photodesk.analysis.analyzers.text import TextAnalyzer

    analyzer = TextAnalyzer()
    temple = Image.open(DEMO_PHOTOS / "sklearn_china.jpg").convert("RGB").resize(SIZE)
    for img, expected in ((temple, []), (small_print().resize(SIZE), ["MARKETSTREET"])):
        decoded = []

        def load(img=img, decoded=decoded):
            decoded.append(True)
            return img

        facts = analyzer.analyze(
            Photo(working=at_most(img, 1024), size=img.size, load=load, filename="x.jpg")
        )

        assert [line["text"].replace(" ", "") for line in facts["ocr_lines"]] == expected
        assert decoded == ([True] if expected else [])


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
    assert analyzer.model_versions()[model.name] == "4, detection 544 px, gate photo"
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


def test_a_site_may_turn_the_gate_off_and_a_bad_value_is_reported(settings):
    """TEXT_GATE None: full detection on every photo, recorded in the reader's version (the
    reader as it was before the gate); a gate the reader does not have warns at start."""
    from django.core import checks

    from photodesk.analysis.analyzers.text import TextAnalyzer

    assert TextAnalyzer().model_versions()["rapidocr-ppocr"] == "4, gate photo"
    settings.PHOTODESK = {**settings.PHOTODESK, "TEXT_GATE": None}
    analyzer = TextAnalyzer()
    model = analyzer.models()[0]
    assert analyzer.model_versions()[model.name] == "4"
    temple = Image.open(DEMO_PHOTOS / "sklearn_china.jpg").convert("RGB")
    reading = model.read(temple)
    assert reading.lines == [] and reading.regions == [WHOLE]

    assert "photodesk.W150" not in {m.id for m in checks.run_checks()}
    for bad in ("everywhere", 1.5):
        settings.PHOTODESK = {**settings.PHOTODESK, "TEXT_GATE": bad}
        assert "photodesk.W150" in {m.id for m in checks.run_checks()}
