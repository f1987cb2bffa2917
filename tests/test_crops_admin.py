"""Crops in the admin without a browser: the suggest panel's cards carry the lead-image crop
(which article writers may see), the editor saves only for those who may change images and
refuses a region outside the picture, and the focal region list opens the editor."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from photodesk.models import FocalRegion

pytestmark = pytest.mark.django_db

SUGGEST = reverse("admin:cms_images_article_suggest")
ARTICLE = {"title": "Astronaut returns from orbit", "body": "The astronaut spoke to the press."}


def staff(django_user_model, name: str, *perms: str) -> Client:
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    client = Client()
    client.force_login(user)
    return client


def editor_url(pk: int) -> str:
    return reverse("admin:semantic_search_crops", args=[pk])


def test_suggestion_cards_preview_the_lead_image_crop(archive, django_user_model):
    writer = staff(django_user_model, "writer", "add_article")
    cards = writer.post(SUGGEST, ARTICLE).json()["results"]
    assert cards
    crop = cards[0]["lead_crop"]
    assert crop["ratio"] == "16:9"
    assert (
        crop["url"]
        == reverse("admin:semantic_search_crop", args=[cards[0]["id"], "16x9"]) + "?size=320"
    )
    response = writer.get(crop["url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    picture = PILImage.open(io.BytesIO(b"".join(response)))
    assert picture.width / picture.height == pytest.approx(16 / 9, rel=0.02)
    assert max(picture.size) <= 320
    nobody = staff(django_user_model, "nobody")
    assert nobody.get(crop["url"]).status_code == 403


def test_only_those_who_may_change_images_save_a_focal_region(archive, django_user_model):
    pk = archive["animal_cat_chelsea.jpg"]
    before = FocalRegion.objects.get(image_id=pk).box
    viewer = staff(django_user_model, "viewer", "view_image")
    page = viewer.get(editor_url(pk))
    assert page.status_code == 200
    assert b"Save focal region" not in page.content
    new = {"x": 0, "y": 0, "width": 40, "height": 40}
    assert viewer.post(editor_url(pk), new).status_code == 403
    assert FocalRegion.objects.get(image_id=pk).box == before

    changer = staff(django_user_model, "changer", "view_image", "change_image")
    assert b"Save focal region" in changer.get(editor_url(pk)).content
    response = changer.post(editor_url(pk), new, follow=True)
    assert "Focal region saved" in response.content.decode()
    region = FocalRegion.objects.get(image_id=pk)
    assert region.box == [0, 0, 40, 40] and region.edited_by.username == "changer"

    # Outside the picture: said, nothing changed.
    outside = {"x": 0, "y": 0, "width": region.image_width + 50, "height": 40}
    response = changer.post(editor_url(pk), outside, follow=True)
    assert "Not saved: The focal region" in response.content.decode()
    assert FocalRegion.objects.get(image_id=pk).box == [0, 0, 40, 40]

    # Given back to analysis.
    changer.post(editor_url(pk), {"reset": "1"})
    assert FocalRegion.objects.get(image_id=pk).source == "auto"


def test_the_live_preview_gives_every_ratios_crop_and_refuses_a_bad_box(archive, admin_client):
    pk = archive["animal_cat_chelsea.jpg"]
    url = reverse("admin:semantic_search_crops_preview", args=[pk])
    crops = admin_client.get(url, {"box": "0,100,60,60"}).json()["crops"]
    assert set(crops) == {"16:9", "4:3", "1:1", "4:5", "9:16"}
    assert crops["9:16"][0] == 0  # slid to the left edge, where the region is
    assert admin_client.get(url, {"box": "left"}).status_code == 400


def test_the_focal_region_list_opens_the_editor_and_the_image_panel_links_it(archive, admin_client):
    pk = archive["animal_cat_chelsea.jpg"]
    listing = admin_client.get(reverse("admin:semantic_search_focalregion_changelist"))
    assert listing.status_code == 200
    region = FocalRegion.objects.get(image_id=pk)
    change = reverse("admin:semantic_search_focalregion_change", args=[region.pk])
    assert admin_client.get(change)["Location"] == editor_url(pk)
    image_page = admin_client.get(reverse("admin:cms_images_image_change", args=[pk]))
    assert editor_url(pk) in image_page.content.decode()
