"""Through the API with a real django-q2 worker: upload → poll the job → done → found by search."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .api_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS


@pytest.mark.worker
def test_upload_poll_the_job_until_done_then_search_finds_it(api, worker):
    journalist = api("journalist")
    photo = (DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes()
    response = journalist.post(
        reverse("photodesk-api:image-list"),
        {"file": SimpleUploadedFile("chelsea.jpg", photo, "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    image_id, job = response.json()["image"]["id"], response["Location"]

    seen = []  # the job's states, in the order the client saw them

    def finished() -> dict | None:
        state = journalist.get(job).json()
        if not seen or seen[-1] != state["status"]:
            seen.append(state["status"])
        return state if state["status"] in ("done", "failed") else None

    state = worker.wait_for(finished, timeout=180)
    assert state and state["status"] == "done", (seen, state, worker.log_tail())
    assert seen[0] in ("pending", "running") and seen[-1] == "done"
    assert state["error"] == "" and state["finished_at"] and state["total_seconds"] > 0
    assert {"decode", "labels", "embedding"} <= set(state["timings"])

    def search() -> list:
        answer = journalist.get(reverse("photodesk-api:search"), {"q": "a cat", "limit": 3})
        return answer.json()["results"]

    found = worker.wait_for(search)
    assert found and found[0]["id"] == image_id
    detail = journalist.get(reverse("photodesk-api:image-detail", args=[image_id])).json()
    assert detail["analysis"]["status"] == "done" and "cat" in detail["description"]
    assert "cat" in {tag["name"] for tag in detail["labels"]}  # the taxonomy is there
