"""Backfills on AWS: a dry run says how many paid calls per API, a budget stops the run
before it would go over, and what is left is picked up by the next run."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from photodesk.models import ImageAnalysis

from .aws_support import (
    AWS_TEST_SETTINGS,
    REKOGNITION_ANALYZERS,
    clear_titan_caches,
    detect_labels,
    detect_moderation_labels,
    detect_text,
    stubbed,
)
from .conftest import DEMO_PHOTOS
from .helpers import make_image

pytestmark = pytest.mark.django_db

PHOTOS = ["animal_cat_chelsea.jpg", "food_coffee_cup.jpg", "city_brick_wall.jpg"]
ANALYZERS = [path for path in REKOGNITION_ANALYZERS if "Face" not in path]  # 3 calls/image


@pytest.fixture
def images(settings, separate_index):
    settings.PHOTODESK = {**settings.PHOTODESK, **AWS_TEST_SETTINGS, "ANALYZERS": ANALYZERS}
    # Created without analysis (queued on commit, which a test transaction never reaches).
    return [make_image((DEMO_PHOTOS / name).read_bytes(), name) for name in PHOTOS]


def test_dry_run_prints_the_calls_per_api_and_calls_nothing(images, capsys, settings):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": REKOGNITION_ANALYZERS,
        "TEXT_EMBEDDER": "photodesk.aws.bedrock.titan_text_embedder",
    }
    with stubbed("rekognition", "bedrock-runtime"):  # nothing queued: any call would fail
        call_command("analyze", *[i.pk for i in images], dry_run=True)
    out = capsys.readouterr().out
    assert "3 image(s) to analyse." in out
    # Bedrock: the written text and up to 10 of Rekognition's label names per image.
    assert (
        "AWS calls, at most: bedrock-runtime:InvokeModel 33, rekognition:DetectFaces 3, "
        "rekognition:DetectLabels 3, rekognition:DetectModerationLabels 3, "
        "rekognition:DetectText 3, rekognition:RecognizeCelebrities 3 (48 in all)." in out
    )


def test_a_budget_stops_the_backfill_and_the_next_run_finishes_it(images, capsys):
    ids = [i.pk for i in images]

    def queue_one_image(stubs):
        stubs["rekognition"].add_response("detect_labels", detect_labels(("Cat", 97.0, [], [])))
        stubs["rekognition"].add_response("detect_text", detect_text())
        stubs["rekognition"].add_response("detect_moderation_labels", detect_moderation_labels())

    with stubbed("rekognition") as stubs:
        for _ in range(2):  # 7 calls buy two images of three calls each
            queue_one_image(stubs)
        call_command("analyze", *ids, sync=True, budget=7, no_progress=True)
    out = capsys.readouterr().out
    assert "Budget of 7 AWS calls reached; 1 image(s) left for the next run." in out
    assert "Analysed 2 image(s)." in out
    assert (
        "AWS calls made: rekognition:DetectLabels 2, rekognition:DetectModerationLabels 2, "
        "rekognition:DetectText 2." in out
    )
    done = ImageAnalysis.objects.filter(status=ImageAnalysis.Status.DONE, image_id__in=ids)
    assert sorted(done.values_list("image_id", flat=True)) == ids[:2]

    with stubbed("rekognition") as stubs:
        queue_one_image(stubs)
        call_command("analyze", ids[2], sync=True, budget=100, no_progress=True)
    assert "Analysed 1 image(s)." in capsys.readouterr().out
    assert done.count() == 3


def test_a_queued_backfill_queues_only_what_the_budget_covers(images, capsys, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "AWS_BACKFILL_BUDGET": 4}  # the site's default
    call_command("analyze", *[i.pk for i in images], no_progress=True)
    out = capsys.readouterr().out
    assert "The budget of 4 calls covers 1 of 3 image(s); queueing those." in out
    assert "Queued analysis of 1 image(s)." in out


def test_a_budget_spent_in_the_middle_of_an_image_fails_it_cleanly(images, settings):
    from photodesk import tasks
    from photodesk.aws import budget

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": ANALYZERS[:2],  # metadata, Rekognition labels
        "TEXT_EMBEDDER": "photodesk.aws.bedrock.titan_text_embedder",
    }
    image = images[0]
    clear_titan_caches()  # "a photo of cat" must not come from another test's cache
    with stubbed("rekognition", "bedrock-runtime") as stubs, budget.limited(1):
        stubs["rekognition"].add_response("detect_labels", detect_labels(("Cat", 97.0, [], [])))
        analysis = tasks.analyze_now(image)  # DetectLabels spends the budget; Bedrock can't
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert "The budget of 1 AWS calls for this run is spent" in analysis.error
    assert "bedrock-runtime:InvokeModel was not called" in analysis.error
