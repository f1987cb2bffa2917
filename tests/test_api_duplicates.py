"""/duplicates/: who may list and resolve duplicate groups; a bad request changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cms_images.models import Image
from photodesk.models import DuplicateGroup, DuplicateMember

from .api_support import *  # noqa: F403
from .helpers import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(separate_index):
    big = make_image(jpeg_bytes((200, 40, 40), (300, 200)), name="big.jpg", caption="")
    small = make_image(
        jpeg_bytes((200, 40, 40), (150, 100)), name="small.jpg", caption="Harbour at dawn."
    )
    group = DuplicateGroup.objects.create()
    DuplicateMember.objects.create(group=group, image=big)
    DuplicateMember.objects.create(group=group, image=small, similarity=0.98, hash_bits=1)
    return group, big, small


def resolve_url(group: DuplicateGroup) -> str:
    return reverse("photodesk-api:duplicate-group-resolve", args=[group.pk])


def test_the_list_shows_each_copy_with_what_a_person_compares(api, group):
    g, big, small = group
    response = api("journalist").get(
        reverse("photodesk-api:duplicate-group-list"), {"status": "open"}
    )
    assert response.status_code == 200, response.content
    (row,) = [r for r in response.json()["results"] if r["id"] == g.pk]
    assert [m["id"] for m in row["members"]] == [big.pk, small.pk]  # most pixels first
    assert row["members"][1]["caption"] == "Harbour at dawn."
    assert {"width", "file_size", "credit", "rights", "added"} <= set(row["members"][0])
    assert api("anonymous").get(reverse("photodesk-api:duplicate-group-list")).status_code == 401
    assert api("nobody").get(reverse("photodesk-api:duplicate-group-list")).status_code == 403
    bad = api("journalist").get(reverse("photodesk-api:duplicate-group-list"), {"status": "shut"})
    assert bad.status_code == 400


def test_a_reviewer_links_copies_but_only_an_admin_deletes_them(api, group):
    g, big, small = group
    denied = api("journalist").post(
        resolve_url(g), {"keep": big.pk, "action": "link"}, format="json"
    )
    assert denied.status_code == 403
    deleting = api("reviewer").post(
        resolve_url(g), {"keep": big.pk, "action": "delete"}, format="json"
    )
    assert deleting.status_code == 403
    assert Image.objects.filter(pk=small.pk).exists()

    done = api("admin").post(resolve_url(g), {"keep": big.pk, "action": "delete"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "resolved" and done.json()["kept"] == big.pk
    big.refresh_from_db()
    assert big.caption == "Harbour at dawn."
    assert not Image.objects.filter(pk=small.pk).exists()


def test_a_bad_resolution_is_refused_and_changes_nothing(api, group):
    g, big, small = group
    outsider = make_image(jpeg_bytes(), name="outsider.jpg")
    client = api("reviewer")
    wrong = client.post(resolve_url(g), {"keep": outsider.pk, "action": "link"}, format="json")
    assert wrong.status_code == 400
    assert "not in duplicate group" in str(wrong.json())
    unknown = client.post(resolve_url(g), {"keep": big.pk, "action": "burn"}, format="json")
    assert unknown.status_code == 400
    g.refresh_from_db()
    big.refresh_from_db()
    assert g.status == "open" and big.caption == ""

    assert (
        client.post(resolve_url(g), {"keep": small.pk, "action": "link"}, format="json").status_code
        == 200
    )
    again = client.post(resolve_url(g), {"keep": small.pk, "action": "link"}, format="json")
    assert again.status_code == 400 and "already resolved" in str(again.json())


def test_a_group_left_with_one_image_is_not_listed(api, group):
    g, big, small = group
    small.delete()  # deleted elsewhere (the image admin)
    response = api("journalist").get(reverse("photodesk-api:duplicate-group-list"))
    assert g.pk not in [row["id"] for row in response.json()["results"]]
