"""Through a real django-q2 worker: two new photos of one person are analysed, and the
clustering task the analysis queues after commit puts their faces in one cluster.

(Named test_worker_* so it runs after the browser tests: transactional tests flush the
database, taxonomy included, and the browser tests need it.)"""

from __future__ import annotations

import time

import pytest

from semantic_search.models import Face, ImageAnalysis

from .conftest import need
from .face_scenes import available, make_scenes
from .helpers import make_image
from .test_worker import worker  # noqa: F401  (the qcluster fixture)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_new_faces_are_clustered_in_the_background(worker, tmp_path):  # noqa: F811
    need(available(), "the face source photos in ../shared/photos are missing")
    scenes = make_scenes(tmp_path / "scenes", ["p2090339522"], per_person=2, seed=3)
    images = [make_image(s.path.read_bytes(), name=s.path.name) for s in scenes]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = ImageAnalysis.objects.filter(
            image__in=images, status=ImageAnalysis.Status.DONE
        ).count()
        clusters = set(Face.objects.filter(image__in=images).values_list("cluster", flat=True))
        if done == 2 and len(clusters) == 1 and None not in clusters:
            break
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        time.sleep(0.5)
    faces = list(Face.objects.filter(image__in=images))
    assert len(faces) == 2, (tmp_path / "worker.log").read_text()[-3000:]
    assert faces[0].cluster_id and faces[0].cluster_id == faces[1].cluster_id
