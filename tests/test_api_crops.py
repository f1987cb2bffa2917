"""Smart crops on the analysed demo archive: every image gets a focal region during analysis;
the API lists each ratio's crop and serves its rendition; people with the right to edit
images move the focal region (the crops follow) or give it back to analysis."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from photodesk.analysis import pipeline
from photodesk.crops.geometry import Box
from photodesk.host import get_image_model
from photodesk.models import Face, FocalRegion

from .api_support import *  # noqa: F403

pytestmark = pytest.mark.django_db

ASTRONAUT = "people_astronaut_eileen_collins.jpg"


def crops_url(pk: int) -> str:
    return reverse("photodesk-api:image-crops", args=[pk])


def by_ratio(body: dict) -> dict[str, dict]:
    return {row["ratio"]: row for row in body["crops"]}


def test_analysis_finds_a_focal_region_for_every_image_faces_first(archive):
    regions = FocalRegion.objects.filter(image_id__in=archive.values())
    assert regions.count() == len(archive)
    assert set(regions.values_list("source", flat=True)) == {"auto"}
    astronaut = regions.get(image_id=archive[ASTRONAUT])
    assert astronaut.basis == "faces"
    face = Face.objects.filter(image_id=archive[ASTRONAUT]).first()
    assert Box.of(astronaut.box).contains(Box.of(face.box))
    # Photos without faces are placed by saliency.
    assert regions.get(image_id=archive["animal_cat_chelsea.jpg"]).basis == "saliency"


def test_every_ratio_has_a_crop_that_keeps_the_face_and_a_rendition(archive, api):
    client = api("journalist")
    body = client.get(crops_url(archive[ASTRONAUT])).json()
    assert body["preview_ratio"] == "16:9"
    crops = by_ratio(body)
    assert list(crops) == ["16:9", "4:3", "1:1", "4:5", "9:16"]
    face = Box.of(Face.objects.filter(image_id=archive[ASTRONAUT]).first().box)
    for ratio, row in crops.items():
        w, h = (int(n) for n in ratio.split(":"))
        box = Box.of(row["box"])
        assert box.w / box.h == pytest.approx(w / h, rel=0.01), ratio
        assert box.contains(face), ratio
    response = client.get(crops["1:1"]["url"], {"size": 200})
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    rendition = Image.open(io.BytesIO(response.content))
    assert rendition.size == (200, 200)
    again = client.get(crops["1:1"]["url"], {"size": 200}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_unknown_ratio_bad_size_and_missing_image_are_clear_errors(archive, api):
    client = api("journalist")
    pk = archive[ASTRONAUT]
    url = reverse("photodesk-api:image-crop", args=[pk, "3x2"])
    assert client.get(url).status_code == 404
    good = reverse("photodesk-api:image-crop", args=[pk, "16x9"])
    assert "size" in client.get(good, {"size": "big"}).json()
    assert client.get(crops_url(999_999)).status_code == 404


def test_only_people_who_may_edit_images_move_the_focal_region(archive, api):
    pk = archive["animal_cat_chelsea.jpg"]
    before = FocalRegion.objects.get(image_id=pk).box
    assert api("anonymous").get(crops_url(pk)).status_code == 401
    assert api("nobody").get(crops_url(pk)).status_code == 403
    refused = api("journalist").put(crops_url(pk), {"box": [0, 0, 50, 50]}, format="json")
    assert refused.status_code == 403
    assert FocalRegion.objects.get(image_id=pk).box == before


def test_moving_the_focal_region_moves_the_crops_and_analysis_keeps_it(archive, api, role_users):
    pk = archive["animal_cat_chelsea.jpg"]
    client = api("reviewer")
    region = FocalRegion.objects.get(image_id=pk)
    width, height = region.image_width, region.image_height
    old = by_ratio(client.get(crops_url(pk)).json())
    # The right edge: the square crop must slide there to keep it.
    box = [width - 60, height // 2 - 30, 50, 60]
    response = client.put(crops_url(pk), {"box": box}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["focal_region"]["source"] == "edited"
    assert body["focal_region"]["edited_by"] == "reviewer"
    square = Box.of(by_ratio(body)["1:1"]["box"])
    assert square.contains(Box.of(box))
    assert square.rounded() != old["1:1"]["box"]
    assert by_ratio(body)["1:1"]["url"] == old["1:1"]["url"]  # same address, new picture

    # A point moves the region's centre there, keeping its size (inside the image).
    moved = client.put(crops_url(pk), {"point": [10, 10]}, format="json").json()
    assert moved["focal_region"]["box"] == [0, 0, 50, 60]

    # Analysis run again keeps what a person set.
    image = get_image_model().objects.get(pk=pk)
    pipeline.analyze(image, force=True)
    assert FocalRegion.objects.get(image_id=pk).box == [0, 0, 50, 60]

    # Given back to analysis: found automatically again.
    reset = client.delete(crops_url(pk)).json()
    assert reset["focal_region"]["source"] == "auto"
    assert reset["focal_region"]["box"] != [0, 0, 50, 60]


def test_a_focal_region_outside_the_image_is_refused_and_nothing_changes(archive, api):
    pk = archive["animal_cat_chelsea.jpg"]
    before = FocalRegion.objects.get(image_id=pk)
    client = api("reviewer")
    for bad in (
        {"box": [0, 0, before.image_width + 10, 10]},
        {"box": [-5, 0, 10, 10]},
        {"box": [0, 0, 0, 10]},
        {"box": [1, 2, 3]},
        {"point": [1, 2], "box": [0, 0, 5, 5]},
        {},
    ):
        response = client.put(crops_url(pk), bad, format="json")
        assert response.status_code == 400, bad
    after = FocalRegion.objects.get(image_id=pk)
    assert (after.box, after.source) == (before.box, before.source)


def test_the_crops_command_fills_images_without_a_focal_region(archive):
    FocalRegion.objects.filter(image_id__in=list(archive.values())[:5]).delete()
    out = StringIO()
    call_command("crops", no_progress=True, stdout=out)
    assert "Focal regions found for 5 image(s)." in out.getvalue()
    assert FocalRegion.objects.filter(image_id__in=archive.values()).count() == len(archive)


def test_naming_a_face_moves_the_focal_region_to_that_person(
    archive, role_users, separate_index, django_capture_on_commit_callbacks
):
    from photodesk.crops import store
    from photodesk.models import Person
    from photodesk.people.decisions import assign_face

    pk = archive[ASTRONAUT]
    image = get_image_model().objects.get(pk=pk)
    face = Face.objects.get(image_id=pk)
    # A second, bigger face nobody has named (a generated box: the photo has one face).
    other = Face.objects.create(image_id=pk, box=[330, 330, 150, 150], detection_confidence=0.9)
    region = Box.of(store.update(image).box)
    assert region.contains(Box.of(face.box)) and region.contains(Box.of(other.box))

    person = Person.objects.create(name="Eileen Collins")
    with django_capture_on_commit_callbacks(execute=True):
        assign_face(face, person, role_users["reviewer"])
    region = Box.of(FocalRegion.objects.get(image_id=pk).box)
    assert region.contains(Box.of(face.box))
    assert not region.contains(Box.of(other.box))
