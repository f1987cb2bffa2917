"""Images on S3 through django-storages, against moto's S3 server (a real HTTP server
speaking the S3 protocol): uploads land in the bucket under the prefix, an analysis reads the
original once and never writes it back, Rekognition gets the S3 object by reference when it
can read the bucket itself, and derived files (face crops) go to the same storage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer

from photodesk import tasks
from photodesk.host import image_file
from photodesk.models import Face, ImageAnalysis, ImageLabel

from .aws_support import (
    ANY,
    AWS_TEST_SETTINGS,
    REGION,
    REKOGNITION_ANALYZERS,
    box,
    detect_faces,
    detect_labels,
    face_detail,
    recognize_celebrities,
    stubbed,
)
from .conftest import DEMO_PHOTOS
from .helpers import free_port, jpeg_bytes, make_image

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "newsroom-photos"
PREFIX = "archive"
WRITES = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "DeleteObject"}


@pytest.fixture(scope="session")
def moto_url():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_url, settings, monkeypatch, separate_index):
    """Default storage on the moto server; a fresh bucket per test."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", region_name=REGION, endpoint_url=moto_url)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "location": PREFIX,
                "region_name": REGION,
                "endpoint_url": moto_url,
                "file_overwrite": False,
            },
        },
    }
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        **AWS_TEST_SETTINGS,
        "ANALYZERS": REKOGNITION_ANALYZERS[:2],
    }
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def record_requests(image) -> list[tuple[str, str]]:
    """(operation, key) of every request the image's storage client sends from now on."""
    seen: list[tuple[str, str]] = []
    events = image_file(image).storage.connection.meta.client.meta.events
    events.register(
        "before-parameter-build.s3",
        lambda model, params, **kw: seen.append((model.name, params.get("Key"))),
    )
    return seen


@pytest.mark.django_db
def test_an_upload_lands_in_the_bucket_and_analysis_reads_it_once_never_writes(s3):
    photo = DEMO_PHOTOS / "animal_cat_chelsea.jpg"
    image = make_image(photo.read_bytes(), photo.name)
    key = f"{PREFIX}/{image.file.name}"
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == photo.stat().st_size
    assert not (Path(image.file.storage.location) / image.file.name).is_file()

    image = type(image).objects.get(pk=image.pk)
    requests = record_requests(image)
    with stubbed("rekognition") as stubs:
        # An S3-compatible store on its own endpoint: Rekognition can't read it, so bytes.
        stubs["rekognition"].add_response(
            "detect_labels",
            detect_labels(("Cat", 97.0, ["Animal"], [])),
            {"Image": {"Bytes": ANY}, "MaxLabels": 50, "MinConfidence": 30.0},
        )
        analysis = tasks.analyze_now(image, force=True)
    assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
    assert ImageLabel.objects.filter(image=image, label__name="cat").exists()
    on_original = [op for op, k in requests if k == key]
    assert on_original.count("GetObject") == 1, requests
    assert not WRITES & set(on_original), requests
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == photo.read_bytes()


@pytest.mark.django_db
def test_rekognition_reads_the_original_from_its_bucket_by_reference(s3, settings, moto_url):
    # The bucket on AWS itself (no custom endpoint in the storage options; the S3 client finds
    # the test server through boto3's AWS_ENDPOINT_URL_S3): Rekognition is given the object.
    options = dict(settings.STORAGES["default"]["OPTIONS"])
    del options["endpoint_url"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    os.environ["AWS_ENDPOINT_URL_S3"] = moto_url
    try:
        image = make_image(jpeg_bytes(size=(320, 240)), "reference.jpg")
        with stubbed("rekognition") as stubs:
            stubs["rekognition"].add_response(
                "detect_labels",
                detect_labels(("Red", 90.0, [], [])),
                {
                    "Image": {
                        "S3Object": {"Bucket": BUCKET, "Name": f"{PREFIX}/images/reference.jpg"}
                    },
                    "MaxLabels": 50,
                    "MinConfidence": 30.0,
                },
            )
            analysis = tasks.analyze_now(type(image).objects.get(pk=image.pk), force=True)
        assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
    finally:
        del os.environ["AWS_ENDPOINT_URL_S3"]


@pytest.mark.django_db
def test_face_crops_go_to_the_same_bucket(s3):
    image = make_image(jpeg_bytes(size=(320, 240)), "crowd.jpg")
    face = Face.objects.create(image=image, box=[10, 10, 50, 50], detection_confidence=0.9)
    face.thumbnail.save("face.jpg", ContentFile(jpeg_bytes(size=(50, 50))))
    assert face.thumbnail.name.startswith("photodesk/faces/")
    assert s3.head_object(Bucket=BUCKET, Key=f"{PREFIX}/{face.thumbnail.name}")
    assert face.thumbnail.url.startswith(f"{s3.meta.endpoint_url}/{BUCKET}/{PREFIX}/")


def test_production_settings_put_files_on_s3_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x",
        "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
        "AWS_STORAGE_BUCKET_NAME": "newsroom-photos",
        "AWS_S3_PREFIX": "archive",
        "AWS_S3_REGION_NAME": "eu-west-1",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.net",
        "PHOTODESK_AWS_REGION": "eu-west-1",
        "PHOTODESK_REKOGNITION": "labels,text,safety",
        "PHOTODESK_TEXT_EMBEDDER": "bedrock",
    }
    code = (
        "import json, settings.production as p; "
        "print(json.dumps([p.STORAGES['default'], p.PHOTODESK['ANALYZERS'], "
        "p.PHOTODESK['AWS_REGION'], p.PHOTODESK['TEXT_EMBEDDER']]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    import json

    storage, analyzers, region, embedder = json.loads(out)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "newsroom-photos",
        "location": "archive",
        "region_name": "eu-west-1",
        "endpoint_url": "https://s3.example.net",
        "file_overwrite": False,
    }
    assert analyzers == [
        "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
        "photodesk.analysis.analyzers.aws.RekognitionLabelAnalyzer",
        # faces stay local: mixed providers
        "photodesk.analysis.analyzers.faces.FaceAnalyzer",
        "photodesk.analysis.analyzers.aws.RekognitionTextAnalyzer",
        "photodesk.analysis.analyzers.aws.RekognitionModerationAnalyzer",
    ]
    assert region == "eu-west-1"
    assert embedder == "photodesk.aws.bedrock.titan_text_embedder"


@pytest.mark.django_db
def test_rekognition_faces_are_cropped_into_the_same_bucket(s3, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": REKOGNITION_ANALYZERS[:3]}
    photo = DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg"
    image = make_image(photo.read_bytes(), photo.name)
    key = f"{PREFIX}/{image.file.name}"
    image = type(image).objects.get(pk=image.pk)
    requests = record_requests(image)
    with stubbed("rekognition") as stubs:
        stubs["rekognition"].add_response("detect_labels", detect_labels())
        stubs["rekognition"].add_response(
            "detect_faces", detect_faces(face_detail(box(0.38, 0.18, 0.22, 0.3)))
        )
        stubs["rekognition"].add_response("recognize_celebrities", recognize_celebrities())
        analysis = tasks.analyze_now(image, force=True)
    assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
    (face,) = Face.objects.filter(image=image)
    crop = f"{PREFIX}/{face.thumbnail.name}"
    assert crop.startswith(f"{PREFIX}/photodesk/faces/")
    assert s3.head_object(Bucket=BUCKET, Key=crop)["ContentLength"] > 0
    assert ("PutObject", crop) in requests  # the crop is written ...
    on_original = [op for op, k in requests if k == key]
    assert on_original.count("GetObject") == 1 and not WRITES & set(on_original)  # ... not this
