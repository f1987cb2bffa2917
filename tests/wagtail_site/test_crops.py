"""On a Wagtail site, a focal region a person sets is written to Wagtail's own focal point,
so Wagtail's fill renditions follow it too; the analysis found one for every image."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from wagtail.images import get_image_model

from photodesk.crops import store
from photodesk.models import FocalRegion


def test_a_persons_focal_region_becomes_wagtails_focal_point(archive, db):
    image = get_image_model().objects.get(pk=archive["animal_cat_chelsea.jpg"])
    region = FocalRegion.objects.get(image=image)
    assert region.source == "auto" and image.focal_point_x is None  # analysis leaves it
    user = get_user_model().objects.create_user("picture-desk")
    store.set_by_person(image, [40, 60, 100, 80], (region.image_width, region.image_height), user)
    image.refresh_from_db()
    assert (image.focal_point_x, image.focal_point_y) == (90, 100)  # its centre
    assert (image.focal_point_width, image.focal_point_height) == (100, 80)
    # Wagtail's crop-to-fill now keeps it.
    rendition = image.get_rendition("fill-100x100")
    assert (rendition.width, rendition.height) == (100, 100)
    assert rendition.focal_point is not None
