"""Through the API with a real django-q2 worker: upload → poll the job → done → found by search.

(Named test_worker_api so it runs after the browser tests: its transactional test flushes the
tables, taxonomy included, and the browser tests need them; conftest only moves marked tests last.)
"""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .api_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS
from .helpers import eventually
from .test_worker import worker  # noqa: F401  (the qcluster fixture)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_upload_poll_the_job_until_done_then_search_finds_it(api, worker, tmp_path):  # noqa: F811
    journalist = api("journalist")
    photo = (DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes()
    response = journalist.post(
        reverse("photodesk-api:image-list"),
        {"file": SimpleUploadedFile("chelsea.jpg", photo, "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    image_id, job = response.json()["image"]["id"], response["Location"]

    seen, deadline = [], time.monotonic() + 180
    while time.monotonic() < deadline:
        state = journalist.get(job).json()
        if not seen or seen[-1] != state["status"]:
            seen.append(state["status"])
        if state["status"] in ("done", "failed"):
            break
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        time.sleep(0.3)
    assert state["status"] == "done", (state, (tmp_path / "worker.log").read_text()[-3000:])
    assert seen[0] in ("pending", "running") and seen[-1] == "done"
    assert state["error"] == "" and state["finished_at"] and state["total_seconds"] > 0
    assert {"decode", "labels", "embedding"} <= set(state["timings"])

    def search() -> list:
        answer = journalist.get(reverse("photodesk-api:search"), {"q": "a cat", "limit": 3})
        return answer.json()["results"]

    found = eventually(search)
    assert found and found[0]["id"] == image_id
    detail = journalist.get(reverse("photodesk-api:image-detail", args=[image_id])).json()
    # (Tags need the taxonomy, which an earlier transactional test may have flushed.)
    assert detail["analysis"]["status"] == "done" and "cat" in detail["description"]
