"""Uploads: checked by content, size and pixels before anything is stored; a refused file
leaves no row and no file; an accepted one gets 202 and its analysis job."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from photodesk.models import ImageAnalysis

from .api_support import *  # noqa: F403
from .api_support import encoded, png_bomb, png_header_only
from .conftest import DEMO_PHOTOS

pytestmark = pytest.mark.django_db

UPLOAD = reverse("photodesk-api:image-list")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def post(client, name: str, data: bytes, content_type: str = "image/jpeg", **fields):
    file = SimpleUploadedFile(name, data, content_type)
    return client.post(UPLOAD, {"file": file, **fields}, format="multipart")


CAT = (DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes()

# name, bytes (built lazily: the bomb takes a second), words the message must contain
MALFORMED = [
    ("truncated.jpg", lambda: CAT[: len(CAT) // 3], "damaged or truncated"),
    ("bomb.png", lambda: png_bomb(30_000, 30_000), "too many pixels"),
    ("huge.png", lambda: png_header_only(10_000, 9_000), "10000x9000 pixels; the limit is 80"),
    ("zero.jpg", lambda: b"", "empty"),
    ("notes.jpg", lambda: b"Meeting notes, not a photo.\n" * 20, "not an image in a supported"),
    ("animation.jpg", lambda: encoded("GIF", mode="P", color=3), "GIF image; accepted are"),
    ("scan.bmp", lambda: encoded("BMP"), "BMP image; accepted are"),
]


@pytest.mark.parametrize(("name", "build", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_file_is_refused_clearly_and_changes_nothing(api, media, name, build, words):
    from cms_images.models import Image

    post(api("journalist"), "before.png", encoded("PNG"))  # storage is not empty
    images, analyses, files = (
        Image.objects.count(),
        ImageAnalysis.objects.count(),
        stored_files(media),
    )
    response = post(api("journalist"), name, build())
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["file"])
    assert words in message, message
    assert (Image.objects.count(), ImageAnalysis.objects.count()) == (images, analyses)
    assert stored_files(media) == files


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded(api, media, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "MAX_FILE_BYTES": 10_000}
    response = post(api("journalist"), "cat.jpg", CAT)
    assert response.status_code == 400
    assert response.json()["file"] == ["cat.jpg is 34.2 KB; files up to 9.8 KB are accepted."]
    assert stored_files(media) == []


def test_an_oversized_request_is_refused_from_its_header_before_the_body_is_read(
    api, media, settings
):
    settings.PHOTODESK = {**settings.PHOTODESK, "MAX_FILE_BYTES": 10_000}
    body = b"x" * 2_000_000  # the client announces 2 MB; the view stops at the header
    response = api("journalist").generic(
        "POST", UPLOAD, body, content_type="multipart/form-data; boundary=zzz"
    )
    assert response.status_code == 400
    assert response.json()["file"] == ["The upload is 1.9 MB; files up to 9.8 KB are accepted."]
    assert stored_files(media) == []


def test_the_type_comes_from_the_content_not_the_name(api, media):
    response = post(api("journalist"), "really-a-png.jpg", encoded("PNG"), title="Blue")
    assert response.status_code == 202, response.content
    image = response.json()["image"]
    assert image["file"].endswith(".png") and image["original_filename"] == "really-a-png.jpg"
    assert [p.rsplit("/", 1)[-1] for p in stored_files(media)] == ["really-a-png.png"]


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("JPEG", "a.jpg"),
        ("PNG", "a.png"),
        ("WEBP", "a.webp"),
        ("TIFF", "a.tif"),
        ("HEIF", "a.heic"),
    ],
)
def test_every_accepted_format_is_stored(api, media, fmt, name):
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    response = post(api("journalist"), name, encoded(fmt))
    assert response.status_code == 202, response.content


def test_upload_answers_202_with_the_job_and_records_who_and_what(api, media, role_users):
    from cms_images.models import Image

    response = post(
        api("journalist"),
        "harbour.jpg",
        CAT,
        title="Harbour cat",
        caption="A cat",
        rights="unrestricted",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["analysis"]["url"]
    assert body["analysis"]["url"].endswith(f"/api/v1/analyses/{body['image']['id']}/")
    assert body["analysis"]["status"] == "pending"
    image = Image.objects.get(pk=body["image"]["id"])
    assert (image.title, image.caption, image.rights) == ("Harbour cat", "A cat", "unrestricted")
    assert image.uploaded_by == role_users["journalist"]
    assert Path(image.file.path).read_bytes() == CAT


def test_uploads_are_throttled_per_user(api, media, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "API_UPLOAD_RATE": "2/hour"}
    journalist, reviewer = api("journalist"), api("reviewer")
    assert [post(journalist, "a.png", encoded("PNG")).status_code for _ in range(3)] == [
        202,
        202,
        429,
    ]
    assert post(reviewer, "b.png", encoded("PNG")).status_code == 202  # per user


def test_session_clients_need_the_csrf_token(role_users, media):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.login(username="journalist", password="pw-journalist")
    refused = post(client, "a.png", encoded("PNG"))
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/admin/login/")  # sets the csrftoken cookie, as a browser would have it
    token = client.cookies["csrftoken"].value
    file = SimpleUploadedFile("a.png", encoded("PNG"), "image/png")
    accepted = client.post(UPLOAD, {"file": file}, format="multipart", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 202, accepted.content


def test_a_token_is_issued_for_a_username_and_password(role_users, client):
    response = client.post(
        reverse("photodesk-api:token"), {"username": "reviewer", "password": "pw-reviewer"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get(UPLOAD, HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200
