"""What the API does with requests it must not simply serve: password guessing at the token
endpoint (429 after API_LOGIN_RATE failures), page parameters out of range (400 naming the
parameter), upload names with folders (stored under the storage's folder, the name said in
the answer) and who may read the schema (API_SCHEMA_ACCESS)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from photodesk.models import Label

from .api_support import *  # noqa: F403
from .api_support import encoded

pytestmark = pytest.mark.django_db

TOKEN = reverse("photodesk-api:token")
LABELS = reverse("photodesk-api:label-list")
UPLOAD = reverse("photodesk-api:image-list")


def sign_in(client: APIClient, password: str, address: str = "203.0.113.7"):
    return client.post(TOKEN, {"username": "reviewer", "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_are_throttled_per_address_with_retry_after(role_users, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "API_LOGIN_RATE": "20/hour"}
    client = APIClient()
    codes = [sign_in(client, f"guess-{n}").status_code for n in range(25)]
    assert codes == [400] * 20 + [429] * 5
    refused = sign_in(client, "pw-reviewer")  # the right password waits too
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "throttled" in refused.json()["detail"].lower()
    # Another address is not held up by this one's failures.
    assert sign_in(client, "pw-reviewer", address="198.51.100.2").status_code == 200


def test_successful_sign_ins_do_not_count(role_users, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "API_LOGIN_RATE": "3/hour"}
    client = APIClient()
    assert [sign_in(client, "pw-reviewer").status_code for _ in range(10)] == [200] * 10
    assert [sign_in(client, "wrong").status_code for _ in range(4)] == [400, 400, 400, 429]


def test_a_rate_of_none_is_unlimited(role_users, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "API_LOGIN_RATE": None}
    client = APIClient()
    assert {sign_in(client, f"guess-{n}").status_code for n in range(30)} == {400}


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "lots"}, "page_size"),
    ],
)
def test_a_page_parameter_out_of_range_is_a_400_naming_it(api, params, named):
    response = api("journalist").get(LABELS, params)
    assert response.status_code == 400
    message = response.json()[named][0]
    assert message.startswith("Must be a whole number from 1")
    assert repr(next(iter(params.values()))) in message
    if named == "page_size":
        assert "to 200" in message  # API_MAX_PAGE_SIZE, so the client knows the limit


def test_pages_in_range_and_past_the_end(api):
    Label.objects.bulk_create(
        Label(name=f"Limit test {n}", slug=f"limit-test-{n}") for n in range(5)
    )
    client = api("journalist")
    count = client.get(LABELS).json()["count"]
    page = client.get(LABELS, {"page_size": 2, "page": 2}).json()
    assert len(page["results"]) == 2 and page["count"] == count
    assert client.get(LABELS, {"page_size": 200}).status_code == 200
    last = client.get(LABELS, {"page_size": 2, "page": "last"})
    assert last.status_code == 200
    assert client.get(LABELS, {"page": 10_000}).status_code == 404  # no such page


def multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body with the file name exactly as given (Django's test client would drop
    the folders itself before sending)."""
    boundary = "photodesk-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
    )
    return head.encode() + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_an_upload_name_with_folders_is_stored_in_the_images_folder(api, settings, tmp_path):
    from cms_images.models import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    body, boundary = multipart("../../etc/passwd.jpg", encoded("JPEG"))
    response = api("journalist").generic(
        "POST", UPLOAD, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["stored_name"] == "images/passwd.jpg"
    image = Image.objects.get(pk=answer["image"]["id"])
    assert image.file.name == "images/passwd.jpg"
    assert Path(image.file.path).is_relative_to(tmp_path / "media" / "images")
    assert not (tmp_path / "etc").exists()

    # The same name again: the storage adds a suffix, and the answer says so.
    again = (
        api("journalist")
        .generic("POST", UPLOAD, body, content_type=f"multipart/form-data; boundary={boundary}")
        .json()
    )
    assert again["stored_name"].startswith("images/passwd_")
    assert again["notes"] == [
        f"The file 'passwd.jpg' was stored as {Path(again['stored_name']).name!r} "
        f"({again['stored_name']})."
    ]


def test_a_png_named_jpg_is_stored_as_png_and_the_answer_says_so(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    body, boundary = multipart("harbour.jpg", encoded("PNG"))
    answer = (
        api("journalist")
        .generic("POST", UPLOAD, body, content_type=f"multipart/form-data; boundary={boundary}")
        .json()
    )
    assert answer["stored_name"] == "images/harbour.png"
    assert answer["notes"] == [
        "The file 'harbour.jpg' was stored as 'harbour.png' (images/harbour.png)."
    ]


SCHEMA_PAGES = ("/api/schema/?format=json", "/api/schema/swagger/", "/api/schema/redoc/")


def get_all(client) -> list[int]:
    return [client.get(page).status_code for page in SCHEMA_PAGES]


def test_the_schema_is_public_with_debug_and_for_staff_only_without(role_users, settings):
    from django.test import Client

    settings.PHOTODESK = {**settings.PHOTODESK, "API_SCHEMA_ACCESS": None}
    settings.DEBUG = True
    assert get_all(Client()) == [200, 200, 200]

    settings.DEBUG = False  # production's default: staff only
    assert all(code in (401, 403) for code in get_all(Client()))
    journalist = Client()
    journalist.force_login(role_users["journalist"])
    assert all(code == 403 for code in get_all(journalist))
    role_users["admin"].is_staff = True
    role_users["admin"].save()
    staff = Client()
    staff.force_login(role_users["admin"])
    assert get_all(staff) == [200, 200, 200]


def test_the_schema_can_be_switched_off(role_users, settings):
    from django.test import Client

    settings.PHOTODESK = {**settings.PHOTODESK, "API_SCHEMA_ACCESS": "off"}
    settings.DEBUG = True
    assert get_all(Client()) == [404, 404, 404]


def test_the_readers_load_their_scripts_from_the_site_not_a_cdn(client):
    for page in SCHEMA_PAGES[1:]:
        html = client.get(page).content.decode()
        assert "cdn.jsdelivr.net" not in html and "/static/drf_spectacular_sidecar/" in html
