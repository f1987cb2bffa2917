"""Rekognition as the provider of labels, faces, celebrities, text and safety: every call
stubbed with botocore's Stubber (responses shaped like AWS's examples), our pipeline real."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image as PILImage
from storages.backends.s3 import S3Storage

from photodesk import tasks
from photodesk.analysis.analyzers.aws import (
    RekognitionFaceAnalyzer,
    RekognitionModerationAnalyzer,
    RekognitionTextAnalyzer,
)
from photodesk.analysis.decode import decode
from photodesk.aws import budget
from photodesk.aws.calls import ProviderUnavailable
from photodesk.aws.images import MAX_BYTES, pixel_box, rekognition_image
from photodesk.models import ImageAnalysis, ImageLabel
from photodesk.search.index import get_index

from .aws_support import (
    ANY,
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
    throttle,
)
from .conftest import DEMO_PHOTOS
from .helpers import make_image

pytestmark = pytest.mark.django_db

CAT = DEMO_PHOTOS / "animal_cat_chelsea.jpg"
ASTRONAUT = DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg"

LABELS_ONLY = REKOGNITION_ANALYZERS[:2]


@pytest.fixture
def aws(settings, separate_index):
    settings.PHOTODESK = {**settings.PHOTODESK, **AWS_TEST_SETTINGS, "ANALYZERS": LABELS_ONLY}
    return settings


def cat_labels() -> dict:
    return detect_labels(
        ("Cat", 98.7, ["Animal", "Pet", "Mammal"], [box(0.1, 0.05, 0.8, 0.9)]),
        ("Person", 95.0, [], [], ["Human"]),
        ("Sedan", 42.0, ["Car", "Vehicle", "Transportation"], []),
        ("Clothing", 90.0, [], []),
        ("Wok", 35.0, ["Pan"], []),
    )


def photo_of(path):
    return decode(path.read_bytes(), path.name)


def test_detect_labels_map_onto_the_taxonomy_with_boxes_states_and_versions(aws):
    image = make_image(CAT.read_bytes(), CAT.name)
    params = {"Image": {"Bytes": ANY}, "MaxLabels": 50, "MinConfidence": 30.0}
    with stubbed("rekognition") as stubs:
        stubs["rekognition"].add_response("detect_labels", cat_labels(), params)
        analysis = tasks.analyze_now(image, force=True)

    assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
    assert analysis.model_versions["labels"] == {"rekognition:DetectLabels": "3.0"}
    tags = {row.label.name: row for row in ImageLabel.objects.filter(image=image)}
    assert tags["cat"].state == ImageLabel.State.AUTO and tags["cat"].confidence == 98.7
    assert tags["cat"].source == "rekognition:DetectLabels@3.0"
    # The instance box, from ratios to pixels of the photo.
    with PILImage.open(CAT) as original:
        size = original.size
    assert tags["cat"].box == pixel_box(box(0.1, 0.05, 0.8, 0.9), *size)
    assert tags["animals"].state == ImageLabel.State.AUTO  # the taxonomy parent gets the child's
    assert tags["people"].state == ImageLabel.State.AUTO  # "Person" is a synonym of people
    assert tags["car"].state == ImageLabel.State.REVIEW  # "Sedan" → car (mapping table), 42 %
    assert tags["vehicle"].state == ImageLabel.State.REVIEW
    assert "fashion" not in tags  # "Clothing" is explicitly kept raw
    # Unmapped names stay raw detections on the analysis; Rekognition's parents as concepts.
    raw = {label["name"]: label for label in analysis.labels}
    assert raw["Wok"]["kind"] == "class" and raw["Wok"]["confidence"] == 35.0
    assert raw["Pan"]["kind"] == "concept" and raw["Animal"]["confidence"] == 98.7
    assert analysis.concepts == {}
    # The description and vector use the names, so search by meaning still works.
    assert "A photo of Cat" in analysis.description
    assert analysis.vector is not None and analysis.vector.any()
    assert get_index().ids() == {image.pk}


def test_throttling_is_retried_with_backoff_then_succeeds(aws):
    image = make_image(CAT.read_bytes(), CAT.name)
    with stubbed("rekognition") as stubs, budget.limited(None) as counted:
        throttle(stubs["rekognition"], "detect_labels")
        throttle(stubs["rekognition"], "detect_labels", "ProvisionedThroughputExceededException")
        stubs["rekognition"].add_response("detect_labels", cat_labels())
        analysis = tasks.analyze_now(image, force=True)
    assert analysis.status == ImageAnalysis.Status.DONE
    # Three requests (the stubber's queue is empty), one billed call on the budget.
    assert counted.used == {"rekognition:DetectLabels": 1}
    assert ImageLabel.objects.filter(image=image, label__name="cat").exists()


def test_throttled_beyond_the_attempts_is_an_error_the_task_queue_retries(aws):
    image = make_image(CAT.read_bytes(), CAT.name)
    with stubbed("rekognition") as stubs:
        for _ in range(AWS_TEST_SETTINGS["AWS_MAX_ATTEMPTS"]):
            throttle(stubs["rekognition"], "detect_labels")
        with pytest.raises(ProviderUnavailable, match="after 4 attempts: ThrottlingException"):
            tasks.analyze_now(image, force=True)
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert "ThrottlingException" in analysis.error


def test_access_denied_fails_the_analysis_clearly_and_keeps_the_image_and_its_facts(aws):
    image = make_image(CAT.read_bytes(), CAT.name)
    with stubbed("rekognition") as stubs:
        stubs["rekognition"].add_response("detect_labels", cat_labels())
        tasks.analyze_now(image, force=True)
        stubs["rekognition"].add_client_error(
            "detect_labels",
            service_error_code="AccessDeniedException",
            service_message="User: arn:aws:iam::111122223333:user/photodesk is not authorized "
            "to perform: rekognition:DetectLabels",
            http_status_code=400,
        )
        analysis = tasks.analyze_now(image, force=True)  # no exception: nothing to retry

    assert analysis.status == ImageAnalysis.Status.FAILED
    assert "rekognition:DetectLabels refused: AccessDeniedException" in analysis.error
    assert "IAM permissions" in analysis.error
    image.refresh_from_db()
    assert image.file.storage.exists(image.file.name)
    # The facts of the last good analysis are still there, tagged and searchable.
    assert ImageLabel.objects.filter(image=image, label__name="cat").exists()
    assert image.pk in get_index().ids()


def test_detect_faces_gives_the_face_contract_and_celebrities_name_their_face(aws):
    photo = photo_of(ASTRONAUT)
    width, height = photo.pixels.size
    params = {"Image": {"Bytes": ANY}, "Attributes": ["ALL"]}
    with stubbed("rekognition") as stubs:
        stub = stubs["rekognition"]
        stub.add_response(
            "detect_faces",
            detect_faces(
                face_detail(box(0.40, 0.20, 0.20, 0.30)),
                face_detail(box(0.05, 0.60, 0.02, 0.03), 81.0, "CALM", sharpness=12.0),
            ),
            params,
        )
        stub.add_response(
            "recognize_celebrities",
            recognize_celebrities(
                ("Eileen Collins", "1SK7cR8M", box(0.41, 0.21, 0.19, 0.29), 98.5),
                ("Someone Elsewhere", "3Ir0du6", box(0.80, 0.70, 0.10, 0.15), 71.0),
            ),
            {"Image": {"Bytes": ANY}},
        )
        analyzer = RekognitionFaceAnalyzer()
        facts = analyzer.analyze(photo)

    assert facts["face_count"] == 3
    first, big, other = facts["faces"]  # sorted left to right
    assert big["box"] == pixel_box(box(0.40, 0.20, 0.20, 0.30), width, height)
    assert big["score"] == pytest.approx(0.999)
    assert big["embedding"] is None
    assert (big["expression"], big["expression_confidence"]) == ("happy", 0.921)
    assert 0.7 < big["quality"] <= 1 and big["usable"] is True
    assert big["attributes"]["age_range"] == [35, 47]
    assert big["attributes"]["smile"] is True and big["attributes"]["eyeglasses"] is False
    assert big["attributes"]["eyes_open"] is True and big["attributes"]["pose"]["yaw"] == 8.9
    assert big["person"] == {
        "name": "Eileen Collins",
        "external_ids": {"rekognition": "1SK7cR8M", "urls": ["www.wikidata.org/wiki/Q1SK7cR8M"]},
        "confidence": 98.5,
    }
    assert "person" not in first and first["usable"] is False  # tiny and blurred
    assert first["expression"] == "calm"
    assert other["person"]["name"] == "Someone Elsewhere"  # a match no DetectFaces box had
    assert analyzer.model_versions() == {
        "rekognition:DetectFaces": "api-2016-06-27",
        "rekognition:RecognizeCelebrities": "api-2016-06-27",
    }


def test_no_celebrity_recognition_when_face_recognition_is_off(aws, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "FACE_RECOGNITION": False}
    with stubbed("rekognition") as stubs:  # only DetectFaces is queued: a second call fails
        stubs["rekognition"].add_response(
            "detect_faces", detect_faces(face_detail(box(0.4, 0.2, 0.2, 0.3)))
        )
        facts = RekognitionFaceAnalyzer().analyze(photo_of(ASTRONAUT))
    assert facts["face_count"] == 1 and "person" not in facts["faces"][0]
    assert RekognitionFaceAnalyzer().api_calls() == {"rekognition:DetectFaces": 1}


def test_detect_text_gives_lines_in_pixels_and_moderation_gives_safety(aws, settings):
    photo = photo_of(CAT)
    width, height = photo.pixels.size
    with stubbed("rekognition") as stubs:
        stubs["rekognition"].add_response(
            "detect_text",
            detect_text(
                ("HANDSWORTH 74", 97.2, box(0.1, 0.1, 0.5, 0.1)),
                ("smudge", 12.0, box(0.1, 0.5, 0.1, 0.1)),
            ),
        )
        stubs["rekognition"].add_response(
            "detect_moderation_labels",
            detect_moderation_labels(
                ("Explicit Nudity", 88.0, ""), ("Graphic Male Nudity", 86.0, "Explicit Nudity")
            ),
            {"Image": {"Bytes": ANY}, "MinConfidence": 50.0},
        )
        text = RekognitionTextAnalyzer().analyze(photo)
        safety = RekognitionModerationAnalyzer().analyze(photo)
    assert text["ocr_text"] == "HANDSWORTH 74"  # words and low-confidence lines left out
    assert text["ocr_lines"][0]["confidence"] == 0.972
    assert text["ocr_lines"][0]["box"][0] == [round(0.1 * width), round(0.1 * height)]
    assert safety == {"safety_score": 0.88, "flagged": True}  # threshold 0.8

    with stubbed("rekognition") as stubs:
        stubs["rekognition"].add_response("detect_moderation_labels", detect_moderation_labels())
        assert RekognitionModerationAnalyzer().analyze(photo) == {
            "safety_score": 0.0,
            "flagged": False,
        }


def test_images_go_as_bytes_under_5_mb_or_by_reference_when_on_s3(aws, settings):
    pixels = np.random.default_rng(9).integers(0, 256, (2200, 3000, 3), dtype=np.uint8)
    noise = PILImage.fromarray(pixels)  # noise: the hardest thing to compress
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    photo = decode(buffer.getvalue(), "noise.png")
    sent = rekognition_image(photo)["Bytes"]
    assert len(sent) <= MAX_BYTES
    with PILImage.open(io.BytesIO(sent)) as resized:
        assert resized.format == "JPEG" and resized.width < 3000
        assert abs(resized.width / resized.height - 3000 / 2200) < 0.01  # same shape

    cat = photo_of(CAT)
    s3 = S3Storage(bucket_name="newsroom-photos", location="archive", region_name="eu-west-1")
    cat.extra["stored_as"] = {"storage": s3, "name": "images/cat.jpg", "size": 50_000}
    assert rekognition_image(cat) == {
        "S3Object": {"Bucket": "newsroom-photos", "Name": "archive/images/cat.jpg"}
    }
    # Elsewhere Rekognition can't read it itself: bytes.
    for storage in (
        S3Storage(bucket_name="b", endpoint_url="http://127.0.0.1:9000"),  # S3-compatible store
        S3Storage(bucket_name="b", region_name="us-east-1"),  # another region
    ):
        cat.extra["stored_as"] = {"storage": storage, "name": "images/cat.jpg", "size": 50_000}
        assert "Bytes" in rekognition_image(cat)
    cat.extra["stored_as"] = {"storage": s3, "name": "images/cat.jpg", "size": 16 * 2**20}
    assert "Bytes" in rekognition_image(cat)  # over the 15 MB S3 object limit


def test_a_budget_stops_calls_before_they_are_sent(aws):
    photo = photo_of(CAT)
    with stubbed("rekognition") as stubs, budget.limited(1) as limit:
        stubs["rekognition"].add_response("detect_text", detect_text())
        RekognitionTextAnalyzer().analyze(photo)
        with pytest.raises(budget.BudgetExhausted, match="budget of 1 AWS calls"):
            RekognitionTextAnalyzer().analyze(photo)
    assert limit.used == {"rekognition:DetectText": 1}
