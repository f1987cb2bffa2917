"""People through the API: find, see their photos, add, rename, merge; name and reject faces;
name clusters; search by a face photo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from photodesk.models import Face, FaceCluster, FaceDecision, Person

from .api_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS

pytestmark = pytest.mark.django_db

R = "photodesk-api:"


@pytest.fixture
def people(archive):
    zoe = Person.objects.create(name="Zoë Ångström", aliases=["Zoe Angstrom-Berg"])
    max_ = Person.objects.create(name="Max Mustermann")
    image = archive["people_photographer_camera.jpg"]
    face = Face.objects.create(
        image_id=image, box=[5, 5, 50, 50], detection_confidence=0.9, person=zoe, state="auto"
    )
    return {"zoe": zoe, "max": max_, "image": image, "face": face}


def test_people_are_found_by_name_or_alias_and_shown_with_their_photos(api, people):
    client = api("journalist")
    found = client.get(reverse(R + "person-list"), {"q": "zoe angstrom-berg"}).json()
    assert [p["name"] for p in found["results"]] == ["Zoë Ångström"]
    assert found["results"][0]["photo_count"] == 1
    person = client.get(reverse(R + "person-detail", args=[people["zoe"].pk])).json()
    assert [img["id"] for img in person["photos"]] == [people["image"]]
    photos = client.get(person["photos_url"]).json()
    assert photos["count"] == 1 and photos["results"][0]["id"] == people["image"]


def test_reviewers_add_rename_and_merge_people(api, people):
    client = api("reviewer")
    made = client.post(reverse(R + "person-list"), {"name": "  Ada Lovelace "}, format="json")
    assert made.status_code == 201 and made.json()["name"] == "Ada Lovelace"
    blank = client.post(reverse(R + "person-list"), {"name": " "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()
    renamed = client.patch(
        reverse(R + "person-detail", args=[people["max"].pk]),
        {"aliases": ["Max M."]},
        format="json",
    )
    assert renamed.json()["aliases"] == ["Max M."]

    merge = reverse(R + "person-merge", args=[people["zoe"].pk])
    itself = client.post(merge, {"into": people["zoe"].pk}, format="json")
    assert itself.status_code == 400
    merged = client.post(merge, {"into": people["max"].pk}, format="json")
    assert merged.status_code == 200, merged.content
    body = merged.json()
    assert body["name"] == "Max Mustermann" and "Zoë Ångström" in body["aliases"]
    assert body["photo_count"] == 1
    assert not Person.objects.filter(pk=people["zoe"].pk).exists()
    assert Face.objects.get(pk=people["face"].pk).person_id == people["max"].pk
    gone = client.get(reverse(R + "person-detail", args=[people["zoe"].pk]))
    assert gone.status_code == 404


def test_reviewers_name_and_reject_faces_and_name_clusters(api, people, archive):
    client = api("reviewer")
    face = people["face"]
    named = client.post(
        reverse(R + "face-assign", args=[face.pk]), {"person": people["max"].pk}, format="json"
    )
    assert named.status_code == 200
    assert named.json()["state"] == "confirmed"
    assert named.json()["person"] == {"id": people["max"].pk, "name": "Max Mustermann"}
    rejected = client.post(reverse(R + "face-reject", args=[face.pk]))
    assert rejected.json()["person"] is None
    again = client.post(reverse(R + "face-reject", args=[face.pk]))
    assert again.status_code == 400 and "no person" in again.json()["person"][0]
    assert FaceDecision.objects.filter(face=face).count() == 2

    cluster = FaceCluster.objects.create()
    for name in ("sklearn_china.jpg", "city_brick_wall.jpg"):
        Face.objects.create(
            image_id=archive[name], box=[0, 0, 40, 40], detection_confidence=0.8, cluster=cluster
        )
    listed = client.get(reverse(R + "face-cluster-list")).json()
    assert cluster.pk in [c["id"] for c in listed["results"]]
    result = client.post(
        reverse(R + "face-cluster-name", args=[cluster.pk]),
        {"person": people["zoe"].pk},
        format="json",
    )
    assert result.json() == {"named": 2}
    waiting = client.get(reverse(R + "face-list"), {"person": people["zoe"].pk}).json()
    assert waiting["count"] == 2 and {f["state"] for f in waiting["results"]} == {"confirmed"}


def test_search_by_face_finds_the_photo_and_explains_a_photo_without_a_face(api, archive):
    client = api("journalist")
    url = reverse(R + "search-faces")
    astronaut = (DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg").read_bytes()
    if not Face.objects.usable().filter(image_id=archive["people_astronaut_eileen_collins.jpg"]):
        pytest.fail("The demo archive should have a usable face on the astronaut photo")
    found = client.post(
        url, {"file": SimpleUploadedFile("me.jpg", astronaut, "image/jpeg")}, format="multipart"
    )
    assert found.status_code == 200, found.content
    first = found.json()["results"][0]
    assert first["id"] == archive["people_astronaut_eileen_collins.jpg"]
    assert first["distance"] < 0.1

    grass = (DEMO_PHOTOS / "nature_grass_texture.jpg").read_bytes()
    none = client.post(
        url, {"file": SimpleUploadedFile("grass.jpg", grass, "image/jpeg")}, format="multipart"
    )
    assert none.status_code == 400 and "No usable face" in none.json()["file"][0]
    text = client.post(
        url, {"file": SimpleUploadedFile("a.jpg", b"not a photo", "image/jpeg")}, format="multipart"
    )
    assert text.status_code == 400 and "not an image" in text.json()["file"][0]


def test_face_search_says_so_when_face_recognition_is_switched_off(api, archive, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "FACE_RECOGNITION": False}
    photo = (DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg").read_bytes()
    response = api("journalist").post(
        reverse(R + "search-faces"),
        {"file": SimpleUploadedFile("me.jpg", photo, "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 503 and "switched off" in response.json()["detail"]
