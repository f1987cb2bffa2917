"""The whole product on AWS provider settings: `ingest --sync` with Rekognition for labels,
faces (with celebrities), text and safety (stubbed, responses shaped like AWS's), then search
and review behave as with the local models: tags auto-applied or queued for review, a named
face, a flagged image kept out of suggestions, text in the image found by search."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from photodesk.models import Face, ImageAnalysis, ImageLabel
from photodesk.people.queries import photos_of
from photodesk.search.index.base import Filters
from photodesk.search.service import search_images

from .aws_support import (
    AWS_TEST_SETTINGS,
    REKOGNITION_ANALYZERS,
    box,
    detect_faces,
    detect_labels,
    detect_moderation_labels,
    detect_text,
    face_detail,
    recognize_celebrities,
    stubbed,
)
from .conftest import DEMO_PHOTOS

pytestmark = pytest.mark.django_db

# Ingest reads a folder in name order; these four, linked into a temporary folder.
PHOTOS = {
    "animal_cat_chelsea.jpg": {
        "labels": detect_labels(
            ("Cat", 97.1, ["Animal", "Pet"], [box(0.1, 0.1, 0.7, 0.8)]),
            ("Sedan", 35.0, ["Car", "Vehicle"], []),
            ("Clothing", 80.0, [], []),
        ),
    },
    "city_brick_wall.jpg": {
        "labels": detect_labels(("Brick", 99.0, [], []), ("Wall", 95.0, [], [])),
        "moderation": detect_moderation_labels(
            ("Violence", 92.0, ""), ("Weapons", 90.0, "Violence")
        ),
    },
    "coco_000000098392.jpg": {
        "labels": detect_labels(
            ("Bus", 99.2, ["Vehicle", "Transportation"], [box(0.2, 0.3, 0.6, 0.5)]),
            ("Road", 88.0, [], []),
        ),
        "text": detect_text(("HANDSWORTH", 96.0, box(0.3, 0.35, 0.2, 0.05))),
    },
    "people_astronaut_eileen_collins.jpg": {
        "labels": detect_labels(
            ("Person", 99.0, [], [box(0.2, 0.1, 0.6, 0.9)], ["Human"]),
            ("Astronaut", 91.0, ["Person"], []),
        ),
        "faces": detect_faces(face_detail(box(0.38, 0.18, 0.22, 0.3))),
        "celebrities": recognize_celebrities(
            ("Eileen Collins", "3Ir0du6", box(0.39, 0.19, 0.21, 0.29), 99.1)
        ),
    },
}


@pytest.fixture
def aws_archive(settings, separate_index, tmp_path, django_capture_on_commit_callbacks):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        **AWS_TEST_SETTINGS,
        "ANALYZERS": REKOGNITION_ANALYZERS,
        "ANALYZE_SYNC": True,
        "SAFETY_NOTIFY_EMAILS": ["desk@example.org"],
    }
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in PHOTOS:
        # The same pixels with a JPEG comment: new files to ingest even when the session's
        # demo archive already holds these photos (ingest skips known content).
        data = (DEMO_PHOTOS / name).read_bytes()
        comment = b"photodesk aws test"
        (folder / name).write_bytes(
            data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
        )
    before = max(ImageAnalysis.objects.values_list("image_id", flat=True), default=0)
    with stubbed("rekognition") as stubs:
        stub = stubs["rekognition"]
        for answers in PHOTOS.values():  # in name order, each in the order of the analyzers
            stub.add_response("detect_labels", answers["labels"])
            stub.add_response("detect_faces", answers.get("faces", detect_faces()))
            if "celebrities" in answers:
                stub.add_response("recognize_celebrities", answers["celebrities"])
            stub.add_response("detect_text", answers.get("text", detect_text()))
            stub.add_response(
                "detect_moderation_labels", answers.get("moderation", detect_moderation_labels())
            )
        with django_capture_on_commit_callbacks(execute=True):
            call_command("ingest", str(folder), sync=True, no_progress=True)
    made = ImageAnalysis.objects.filter(image_id__gt=before).select_related("image")
    assert made.count() == len(PHOTOS)
    return {a.image.original_filename: a for a in made}


def assert_celebrity_stored(analysis, name: str, rekognition_id: str) -> None:
    """The recognised celebrity is a Person on a stored face, found by name."""
    (face,) = Face.objects.filter(image=analysis.image)
    assert face.person.name == name and face.state == Face.State.AUTO  # match ≥ 90 %
    assert face.person.external_ids["rekognition"] == rekognition_id
    assert face.expression == "happy" and face.embedding is None and face.thumbnail
    assert list(photos_of(name)) == [analysis.image]
    assert search_images(name)[0].image.pk == analysis.image.pk


def tags(analysis) -> dict[str, str]:
    return {row.label.name: row.state for row in ImageLabel.objects.filter(image=analysis.image)}


def test_ingest_and_search_on_rekognition_behave_like_the_local_pipeline(aws_archive, mailoutbox):
    cat, wall, bus, astronaut = (aws_archive[name] for name in PHOTOS)
    assert all(a.status == ImageAnalysis.Status.DONE for a in aws_archive.values())
    assert cat.model_versions["labels"] == {"rekognition:DetectLabels": "3.0"}
    assert set(cat.model_versions) >= {"metadata", "labels", "faces", "text", "safety", "embedding"}

    # Tags: applied above the accept threshold, queued for review between the thresholds.
    assert tags(cat)["cat"] == ImageLabel.State.AUTO
    assert tags(cat)["car"] == ImageLabel.State.REVIEW
    assert "fashion" not in tags(cat)
    assert ImageLabel.objects.pending().filter(image=cat.image, label__name="car").exists()
    assert tags(bus)["bus"] == tags(bus)["road"] == ImageLabel.State.AUTO
    assert tags(astronaut)["astronaut"] == tags(astronaut)["people"] == ImageLabel.State.AUTO

    # Faces and the celebrity who was recognised.
    assert (cat.face_count, astronaut.face_count) == (0, 1)
    assert_celebrity_stored(astronaut, "Eileen Collins", "3Ir0du6")
    (summary,) = astronaut.faces  # the analysis keeps DetectFaces' attributes, no embedding
    assert summary["attributes"]["age_range"] == [35, 47] and summary["attributes"]["smile"]
    assert "embedding" not in summary and "person" not in summary

    # Safety: flagged, left out when flagged images are excluded.
    assert wall.flagged and wall.safety_score == 0.92
    assert not cat.flagged
    # The safety settings' built-in alert rule: the image's title and its score.
    assert [m.subject for m in mailoutbox] == [
        "[Photodesk] Images flagged unsafe: city_brick_wall.jpg (score 0.92)"
    ]
    assert wall.image.pk in [r.image.pk for r in search_images("brick wall")]
    assert wall.image.pk not in [
        r.image.pk for r in search_images("brick wall", filters=Filters(exclude_flagged=True))
    ]

    # Text in the image is found by search, with the same reason as with local OCR.
    assert bus.ocr_text == "HANDSWORTH"
    first = search_images("Handsworth")[0]
    assert first.image.pk == bus.image.pk
    assert any("mentions handsworth" in reason for reason in first.reason_texts)
    # Tags and meaning: the label search and the vector made from Rekognition's names.
    best = search_images("astronaut")[0]
    assert best.image.pk == astronaut.image.pk
    assert "label “astronaut” (91%)" in best.reason_texts
    assert search_images("a kitten sleeping")[0].image.pk == cat.image.pk
