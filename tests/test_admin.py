"""The admin: upload an image, see its analysis on the image page; lists and filters work;
the taxonomy's rules hold in the label form."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from photodesk.models import ImageAnalysis, Label

from .conftest import DEMO_PHOTOS

pytestmark = pytest.mark.django_db

# The image form carries the tags inline (ImageLabelInline); an upload adds none.
INLINE_EMPTY = {
    "photodesk_labels-TOTAL_FORMS": "0",
    "photodesk_labels-INITIAL_FORMS": "0",
    "photodesk_labels-MIN_NUM_FORMS": "0",
    "photodesk_labels-MAX_NUM_FORMS": "1000",
}


def test_uploading_in_the_admin_shows_the_analysis_on_the_image_page(
    staff_client, settings, separate_index, django_capture_on_commit_callbacks
):
    from cms_images.models import Image

    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}  # the worker's job, inline
    upload = SimpleUploadedFile(
        "coffee.jpg", (DEMO_PHOTOS / "food_coffee_cup.jpg").read_bytes(), "image/jpeg"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:cms_images_image_add"),
            {
                "file": upload,
                "title": "Morning coffee",
                "caption": "",
                "credit": "Staff",
                "copyright": "",
                "rights": "editorial",
                "original_filename": "",
                **INLINE_EMPTY,
            },
        )
    assert response.status_code == 302, response.content[:2000]
    image = Image.objects.get(title="Morning coffee")
    assert image.original_filename == "coffee.jpg" and image.uploaded_by.username == "editor"
    assert image.analysis.status == ImageAnalysis.Status.DONE

    page = staff_client.get(reverse("admin:cms_images_image_change", args=[image.pk]))
    html = page.content.decode()
    assert "Done" in html
    assert "espresso" in html  # a label with its confidence
    assert "imagenet/efficientnet_lite0" in html and "all-MiniLM-L6-v2" in html  # models
    assert "Faces detected" in html and "Text in the image" in html
    assert "total" in html  # timings


def test_the_admin_refuses_a_file_that_is_not_an_image(staff_client):
    from cms_images.models import Image

    count = Image.objects.count()
    response = staff_client.post(
        reverse("admin:cms_images_image_add"),
        {
            "file": SimpleUploadedFile("notes.jpg", b"not a picture", "image/jpeg"),
            "title": "x",
            "rights": "editorial",
        },
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert Image.objects.count() == count


def test_image_and_article_lists_render_with_filters(staff_client, archive):
    images = staff_client.get(reverse("admin:cms_images_image_changelist"), {"q": "Handsworth"})
    assert images.status_code == 200
    assert "coco_000000098392.jpg" in images.content.decode()  # found by text in the image
    done = staff_client.get(
        reverse("admin:cms_images_image_changelist"), {"analysis__status__exact": "done"}
    )
    assert done.status_code == 200
    assert staff_client.get(reverse("admin:cms_images_article_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:cms_images_article_add")).status_code == 200
    analyses = staff_client.get(reverse("admin:semantic_search_imageanalysis_changelist"))
    assert analyses.status_code == 200


def label_form(label, **changes) -> dict:
    """The label change form as the admin posts it, with `changes` applied."""
    data = {
        "name": label.name,
        "slug": label.slug,
        "parent": label.parent_id or "",
        "synonyms": json.dumps(label.synonyms),
        "description": label.description,
        "active": "on" if label.active else "",
        "accept_threshold": "" if label.accept_threshold is None else label.accept_threshold,
        "review_threshold": "" if label.review_threshold is None else label.review_threshold,
    }
    return {**data, **changes}


def test_the_label_admin_refuses_a_parent_loop_and_a_review_threshold_above_accept(
    staff_client,
):
    vehicle = Label.objects.get(name="vehicle")
    car = Label.objects.get(name="car", parent=vehicle)
    change = reverse("admin:semantic_search_label_change", args=[vehicle.pk])

    loop = staff_client.post(change, label_form(vehicle, parent=car.pk))
    assert loop.status_code == 200  # the form again, with the error, nothing saved
    assert "That would make a loop." in loop.content.decode()
    thresholds = staff_client.post(
        change, label_form(vehicle, accept_threshold=30, review_threshold=60)
    )
    assert thresholds.status_code == 200
    assert "The review threshold must not exceed the accept one." in thresholds.content.decode()
    clash = staff_client.post(change, label_form(vehicle, slug="car")).content.decode()
    assert clash.count("“car” is already another label") == 1 and "already exists" not in clash
    vehicle.refresh_from_db()
    assert vehicle.parent_id != car.pk and vehicle.review_threshold is None
    assert vehicle.slug == "vehicle"

    saved = staff_client.post(change, label_form(vehicle, accept_threshold=80, review_threshold=50))
    assert saved.status_code == 302
    vehicle.refresh_from_db()
    assert (vehicle.accept_threshold, vehicle.review_threshold) == (80, 50)
