"""The panel's endpoints obey Wagtail's permissions: only people who may edit the page (or add
pages) get suggestions, and only images in collections they may choose from. Photodesk's
review pages are in Wagtail's menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse

from tests.wagtail_site.conftest import VEHICLES

TEXT = {
    "title": "Tech chief tours the car maker's new plant",
    "body": "Driving prototypes around the test track before meeting the engineers.",
}


@pytest.fixture
def editor(django_user_model, home):
    """A Wagtail editor: may edit pages under home, choose images in one collection only."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    transport = Collection.get_first_root_node().add_child(name="Transport")
    group = Group.objects.create(name="Transport desk")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group, page=home, permission=Permission.objects.get(codename="change_page")
    )
    GroupPagePermission.objects.create(
        group=group, page=home, permission=Permission.objects.get(codename="add_page")
    )
    GroupCollectionPermission.objects.create(
        group=group,
        collection=transport,
        permission=Permission.objects.get(codename="choose_image"),
    )
    user = django_user_model.objects.create_user("desk", password="pw")
    user.groups.add(group)
    return user, transport


def test_suggestions_only_from_collections_the_editor_may_choose(client, archive, editor):
    from wagtail.images import get_image_model

    user, transport = editor
    in_transport = {archive[name] for name in VEHICLES[:2]}
    get_image_model().objects.filter(pk__in=in_transport).update(collection=transport)
    client.force_login(user)
    response = client.post(reverse("photodesk_wagtail:suggest"), TEXT)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert {r["id"] for r in results} == in_transport
    assert all(r["reasons"] and ".max-320x240." in r["thumbnail"] for r in results)


def test_no_suggestions_for_someone_who_may_not_edit_pages(client, archive, django_user_model):
    user = django_user_model.objects.create_user("reader", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.post(reverse("photodesk_wagtail:suggest"), TEXT).status_code == 403


def test_nothing_to_suggest_for_empty_text(admin_client):
    response = admin_client.post(reverse("photodesk_wagtail:suggest"), {"title": " "})
    assert response.status_code == 400
    assert "Write a title" in response.json()["error"]


def test_the_review_pages_are_in_wagtails_menu(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    for url_name in ("reviewitem", "person", "facecluster", "label"):
        assert reverse(f"admin:semantic_search_{url_name}_changelist") in html


def test_a_video_frame_becomes_a_still_only_for_someone_who_may_add_images(
    client, editor, django_user_model
):
    user, _ = editor  # may edit pages and choose images, not add them
    client.force_login(user)
    url = reverse("photodesk_wagtail:video_still")
    response = client.post(url, {"video": 1, "at": 2.5})
    assert response.status_code == 403
    assert response.json()["error"] == "You may not add images."
    admin = django_user_model.objects.create_superuser("chief", "c@example.com", "pw")
    client.force_login(admin)
    assert client.post(url, {"video": 1, "at": "soon"}).status_code == 400
    response = client.post(url, {"video": 1, "at": 2.5})  # this site has no videos
    assert response.status_code == 404 and response.json()["error"] == "There is no video 1."
    assert client.post(reverse("photodesk_wagtail:suggest"), TEXT).json()["videos"] == []


def temple_burst(folder: Path) -> list[int]:
    """Three frames of one photo (a temple; not in the Wagtail archive), uploaded together as
    Wagtail images and analysed."""
    import random

    from PIL import Image

    from photodesk.tasks import analysis_inline
    from tests.burst_frames import frame, save_with_time
    from tests.conftest import DEMO_PHOTOS
    from tests.wagtail_site.conftest import add_image

    photo = Image.open(DEMO_PHOTOS / "sklearn_china.jpg").convert("RGB")
    rng = random.Random(2)
    ids = []
    with analysis_inline(), TestCase.captureOnCommitCallbacks(execute=True):
        for i in range(3):
            shot = save_with_time(
                photo if i == 0 else frame(photo, rng), folder / f"temple{i}.jpg", None
            )
            ids.append(add_image(shot, title=f"Temple frame {i}").pk)
    return ids


def test_a_burst_is_one_card_with_its_other_frames_behind_it(admin_client, settings, tmp_path):
    """Three frames of one photo, uploaded together: the panel lists one, with the other two
    (and their chooser previews) under `similar`."""
    from photodesk.models import ImageAnalysis, Series

    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    ids = temple_burst(tmp_path)
    series = Series.objects.get(members__image_id=ids[0])
    assert set(series.members.values_list("image_id", flat=True)) == set(ids)

    text = ImageAnalysis.objects.get(image_id=ids[0]).description
    response = admin_client.post(
        reverse("photodesk_wagtail:suggest"), {"title": "Temple at dawn", "body": text}
    )
    assert response.status_code == 200, response.content
    cards = [r for r in response.json()["results"] if r["id"] in ids]
    assert [c["id"] for c in cards] == [series.best_id]
    similar = cards[0]["similar"]
    assert {s["id"] for s in similar} == set(ids) - {series.best_id}
    assert all(s["preview"]["url"] and s["reasons"] for s in similar)
    assert cards[0]["series"] == {"id": series.pk, "similar_count": 2}
