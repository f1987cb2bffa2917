"""Every accepted format is analysed; an unexpected failure is recorded and retried later."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from photodesk import tasks
from photodesk.models import ImageAnalysis

from .conftest import DEMO_PHOTOS
from .helpers import make_image

pytestmark = pytest.mark.django_db


def encode(fmt: str) -> bytes:
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    buffer = io.BytesIO()
    with PILImage.open(DEMO_PHOTOS / "animal_cat_chelsea.jpg") as img:
        img.convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("PNG", "cat.png"), ("WEBP", "cat.webp"), ("TIFF", "cat.tiff"), ("HEIF", "cat.heic")],
)
def test_each_supported_format_is_analysed(separate_index, fmt, name):
    analysis = tasks.analyze_now(make_image(encode(fmt), name=name))
    assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
    assert "cat" in {label["name"] for label in analysis.labels}


def test_a_missing_model_fails_clearly_keeps_the_image_and_schedules_a_retry(
    settings, tmp_path, separate_index
):
    from django_q.models import Schedule

    from photodesk.tasks import analyze_image

    image = make_image((DEMO_PHOTOS / "food_coffee_cup.jpg").read_bytes(), name="coffee.jpg")
    settings.PHOTODESK = {**settings.PHOTODESK, "MODEL_DIR": tmp_path / "no-models"}
    with pytest.raises(Exception, match="model file"):
        analyze_image(image.pk)
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert "no-models" in analysis.error and "MODEL_DIR" in analysis.error
    retry = Schedule.objects.get(func="photodesk.tasks.analyze_image")
    assert retry.args == str(image.pk) and retry.schedule_type == Schedule.ONCE
    assert type(image).objects.filter(pk=image.pk).exists()
