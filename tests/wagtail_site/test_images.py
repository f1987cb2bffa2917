"""Wagtail images are Photodesk's images: an upload through Wagtail's admin (into a collection)
is analysed, its tags follow the labels (added; the ones Photodesk added removed when rejected;
people's own never removed), renditions do not re-analyse, and the image edit page shows the
analysis, tags and faces."""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from photodesk.contrib.wagtail.models import MirroredTag
from photodesk.labels.service import decide
from photodesk.models import ImageAnalysis, ImageLabel
from tests.conftest import DEMO_PHOTOS


@pytest.fixture
def sync_analysis(settings, separate_index):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}


def tag_names(image) -> set[str]:
    return {tag.name for tag in image.tags.all()}


def test_an_upload_in_wagtails_admin_is_analysed_and_tagged(
    admin_client, sync_analysis, django_capture_on_commit_callbacks
):
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    sport = Collection.get_first_root_node().add_child(name="Sport")
    with (
        (DEMO_PHOTOS / "coco_000000015517.jpg").open("rb") as photo,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(
            reverse("wagtailimages:add"),
            {"title": "Buses at the station", "file": photo, "collection": sport.pk},
        )
    assert response.status_code == 302, response.content[:500]
    image = get_image_model().objects.get(title="Buses at the station")
    assert image.collection == sport
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.status == ImageAnalysis.Status.DONE
    visible = set(
        ImageLabel.objects.visible().filter(image=image).values_list("label__name", flat=True)
    )
    assert visible and visible <= tag_names(image)  # WAGTAIL_TAG_LABELS = "visible"

    # A rendition (the editor's thumbnails) is not a new file: nothing is analysed again.
    with django_capture_on_commit_callbacks(execute=True):
        image.get_rendition("max-320x240")
    analysis.refresh_from_db()
    assert analysis.attempts == 1

    page = admin_client.get(reverse("wagtailimages:edit", args=[image.pk]))
    html = page.content.decode()
    assert 'id="photodesk-analysis"' in html and "Description:" in html
    for name in visible:
        assert name in html


def test_tags_follow_decisions_and_people_keep_their_own(
    admin_user, archive, django_capture_on_commit_callbacks
):
    from wagtail.images import get_image_model

    image = get_image_model().objects.get(pk=archive["food_coffee_cup.jpg"])
    rows = list(ImageLabel.objects.visible().filter(image=image).select_related("label"))
    assert len(rows) >= 2, rows
    mirrored, typed_too = rows[0], rows[1]
    assert {mirrored.label.name, typed_too.label.name} <= tag_names(image)
    # A person had typed the second tag themselves: Photodesk did not add it, never removes it.
    MirroredTag.objects.filter(image=image, name=typed_too.label.name).delete()
    image.tags.add("press conference")

    with django_capture_on_commit_callbacks(execute=True):
        decide(mirrored, ImageLabel.State.REJECTED, admin_user)
        decide(typed_too, ImageLabel.State.REJECTED, admin_user)
    image = get_image_model().objects.get(pk=image.pk)
    assert mirrored.label.name not in tag_names(image)
    assert {typed_too.label.name, "press conference"} <= tag_names(image)

    # Accepted again: the tag comes back once.
    with django_capture_on_commit_callbacks(execute=True):
        decide(ImageLabel.objects.get(pk=mirrored.pk), ImageLabel.State.ACCEPTED, admin_user)
    assert mirrored.label.name in tag_names(get_image_model().objects.get(pk=image.pk))


def test_ingest_adds_a_folder_as_wagtail_images(
    db, tmp_path, sync_analysis, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    shutil.copy(DEMO_PHOTOS / "city_brick_wall.jpg", tmp_path / "city_brick_wall.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(tmp_path), sync=True, no_progress=True)

    # As Wagtail's upload form adds it: titled by its file name, in the root collection,
    # with the size and hash its renditions are cached under.
    image = get_image_model().objects.get(title="city_brick_wall")
    assert image.collection == Collection.get_first_root_node()
    assert image.file_size == (tmp_path / "city_brick_wall.jpg").stat().st_size
    assert image.file_hash and image.width and image.height
    assert ImageAnalysis.objects.get(image=image).status == ImageAnalysis.Status.DONE
