"""Through a real django-q2 worker: two new photos of one person are analysed, and the
clustering task the analysis queues after commit puts their faces in one cluster."""

from __future__ import annotations

import pytest

from photodesk.models import Face, ImageAnalysis

from .conftest import need
from .face_scenes import available, make_scenes
from .helpers import make_image


@pytest.mark.worker
def test_new_faces_are_clustered_in_the_background(worker, tmp_path):
    need(available(), "the face source photos in ../shared/photos are missing")
    scenes = make_scenes(tmp_path / "scenes", ["p2090339522"], per_person=2, seed=3)
    images = [make_image(s.path.read_bytes(), name=s.path.name) for s in scenes]

    def clustered() -> bool:
        done = ImageAnalysis.objects.filter(
            image__in=images, status=ImageAnalysis.Status.DONE
        ).count()
        clusters = set(Face.objects.filter(image__in=images).values_list("cluster", flat=True))
        return done == 2 and len(clusters) == 1 and None not in clusters

    worker.wait_for(clustered, timeout=240)
    faces = list(Face.objects.filter(image__in=images))
    assert len(faces) == 2, worker.log_tail()
    assert faces[0].cluster_id and faces[0].cluster_id == faces[1].cluster_id
