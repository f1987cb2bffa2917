"""A real django-q2 worker (qcluster) against the ORM broker analyses an uploaded image."""

from __future__ import annotations

import pytest

from photodesk.models import ImageAnalysis

from .conftest import DEMO_PHOTOS
from .helpers import make_image

FINISHED = (ImageAnalysis.Status.DONE, ImageAnalysis.Status.FAILED)


@pytest.mark.worker
def test_uploaded_image_reaches_done_through_a_real_worker(worker):
    from photodesk.search.service import search_images

    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="cat.jpg")

    def finished() -> str | None:
        status = ImageAnalysis.objects.filter(image=image).values_list("status", flat=True).first()
        return status if status in FINISHED else None

    assert worker.wait_for(finished, timeout=180) == ImageAnalysis.Status.DONE, worker.log_tail()
    hits = worker.wait_for(lambda: search_images("a cat", limit=1))
    assert hits and hits[0].image.pk == image.pk
