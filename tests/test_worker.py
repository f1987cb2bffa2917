"""A real django-q2 worker (qcluster) against the ORM broker analyses an uploaded image."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from semantic_search.models import ImageAnalysis

from .conftest import DEMO_PHOTOS
from .helpers import eventually, make_image

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(settings, tmp_path, separate_index):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "PHOTODESK_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "PHOTODESK_TEST_TMP": str(tmp_path),
        "PHOTODESK_INDEX_PATH": str(separate_index),
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed after the worker stops)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_uploaded_image_reaches_done_through_a_real_worker(worker, tmp_path):
    from semantic_search.search.service import search_images

    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="cat.jpg")
    deadline = time.monotonic() + 180
    status = None
    while time.monotonic() < deadline:
        status = ImageAnalysis.objects.filter(image=image).values_list("status", flat=True).first()
        if status in (ImageAnalysis.Status.DONE, ImageAnalysis.Status.FAILED):
            break
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.5)
    assert status == ImageAnalysis.Status.DONE, (tmp_path / "worker.log").read_text()[-3000:]
    hits = eventually(lambda: search_images("a cat", limit=1))
    assert hits and hits[0].image.pk == image.pk
