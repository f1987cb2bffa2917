"""Analysis with the real models: facts recorded, bad files fail clearly, work is not redone."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from photodesk import tasks
from photodesk.analysis import pipeline
from photodesk.analysis.analyzers.base import (
    FACT_FIELDS,
    Analyzer,
    UnknownFactError,
    checked_facts,
)
from photodesk.models import ImageAnalysis
from photodesk.search.index import get_index

from .conftest import DEMO_PHOTOS
from .helpers import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db


def test_analysis_records_facts_versions_and_timings(archive):
    analysis = ImageAnalysis.objects.get(image_id=archive["animal_cat_chelsea.jpg"])
    assert analysis.status == ImageAnalysis.Status.DONE
    assert analysis.error == ""
    names = {label["name"] for label in analysis.labels}
    assert "cat" in names
    assert all(0 <= label["confidence"] <= 100 for label in analysis.labels)
    assert set(analysis.model_versions) >= {"metadata", "labels", "faces", "text", "embedding"}
    assert "imagenet/efficientnet_lite0" in analysis.model_versions["labels"]
    assert set(analysis.timings) >= {"decode", "labels", "faces", "text", "embedding"}
    assert all(seconds >= 0 for seconds in analysis.timings.values())
    assert analysis.vector.shape == (384,)
    assert analysis.content_hash and analysis.pipeline_version == pipeline.PIPELINE_VERSION


def test_faces_and_text_in_image_are_found(archive):
    astronaut = ImageAnalysis.objects.get(image_id=archive["people_astronaut_eileen_collins.jpg"])
    assert astronaut.face_count >= 1
    x, y, w, h = astronaut.faces[0]["box"]
    assert w > 20 and h > 20
    bus = ImageAnalysis.objects.get(image_id=archive["coco_000000098392.jpg"])
    assert "Handsworth" in bus.ocr_text
    cat = ImageAnalysis.objects.get(image_id=archive["animal_cat_chelsea.jpg"])
    assert cat.face_count == 0


def test_reanalysing_an_unchanged_file_does_no_work(archive):
    image_pk = archive["food_coffee_cup.jpg"]
    before = ImageAnalysis.objects.get(image_id=image_pk)
    after = tasks.analyze_now(before.image)
    assert (after.attempts, after.finished_at) == (before.attempts, before.finished_at)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (jpeg_bytes()[:200], "truncated.jpg", "damaged or truncated"),
        (b"%PDF-1.4 this is not a picture", "report.jpg", "not an image"),
        (b"", "empty.jpg", "empty"),
    ],
)
def test_bad_files_fail_clearly_and_break_nothing(archive, separate_index, data, name, message):
    image = make_image(data, name=name, title="Kept")
    analysis = tasks.analyze_now(image)
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert message in analysis.error
    image.refresh_from_db()
    with image.file.open("rb") as fh:  # the image and its file are not lost
        assert image.title == "Kept" and fh.read() == data
    assert image.pk not in get_index().ids()
    # The archive still works.
    good = tasks.analyze_now(
        make_image((DEMO_PHOTOS / "food_coffee_cup.jpg").read_bytes(), name="coffee.jpg")
    )
    assert good.status == ImageAnalysis.Status.DONE


def test_reindex_rebuilds_the_index_from_the_database(archive, settings, tmp_path):
    from photodesk.search.service import search_images

    expected = [r.image.pk for r in search_images("a cup of coffee", limit=5)]
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "rebuilt"}
    assert get_index().count() == 0
    call_command("reindex", no_progress=True)
    assert get_index().count() == ImageAnalysis.objects.indexable().count() == len(archive)
    assert [r.image.pk for r in search_images("a cup of coffee", limit=5)] == expected


def test_ingest_is_idempotent_by_content(archive, capsys):
    from cms_images.models import Image

    count = Image.objects.count()
    call_command("ingest", str(DEMO_PHOTOS), no_progress=True)
    assert Image.objects.count() == count
    assert f"skipped {count}" in capsys.readouterr().out


def test_the_suite_runs_on_the_database_it_was_given():
    """CI runs the suite twice; make sure the PostgreSQL run really is on PostgreSQL."""
    import os

    from django.db import connection

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_analyze_backfills_what_an_older_pipeline_made(archive, capsys, separate_index):
    pk = archive["food_coffee_cup.jpg"]
    call_command("analyze", dry_run=True)
    assert "0 image(s)" in capsys.readouterr().out
    ImageAnalysis.objects.filter(image_id=pk).update(pipeline_version="0")
    call_command("analyze", dry_run=True)
    assert "1 image(s)" in capsys.readouterr().out
    call_command("analyze", sync=True, no_progress=True)
    analysis = ImageAnalysis.objects.get(image_id=pk)
    assert analysis.pipeline_version == pipeline.PIPELINE_VERSION
    assert analysis.status == ImageAnalysis.Status.DONE
    assert pk in get_index().ids()


class StatusAnalyzer(Analyzer):
    """A faulty analyzer: besides a fact, it tries to set the analysis's status."""

    key = "faulty"

    def analyze(self, photo):
        return {"ocr_text": "written", "status": ImageAnalysis.Status.DONE}


def test_an_analyzer_returning_something_that_is_not_a_fact_fails_clearly(settings):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": [
            "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
            "tests.test_pipeline.StatusAnalyzer",
        ],
    }
    image = make_image((DEMO_PHOTOS / "food_coffee_cup.jpg").read_bytes(), name="coffee.jpg")
    with pytest.raises(UnknownFactError, match=r"tests\.test_pipeline\.StatusAnalyzer.*'status'"):
        checked_facts(StatusAnalyzer(), StatusAnalyzer().analyze(None))
    outcome = pipeline.analyze(image)  # recorded as failed, not raised: a retry cannot help
    assert not outcome.changed
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert "StatusAnalyzer" in analysis.error and "'status'" in analysis.error
    assert analysis.ocr_text == "" and analysis.pipeline_version == ""  # nothing was stored


def test_every_fact_an_analyzer_may_set_is_a_field_of_the_analysis():
    fields = {field.name for field in ImageAnalysis._meta.get_fields()}
    assert FACT_FIELDS.issubset(fields)
    assert not FACT_FIELDS & {"status", "error", "model_versions", "embedding", "description"}
