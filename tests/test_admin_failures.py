"""The admin's failures: failed analyses and index writes owed over a minute are counted,
filtered and retried in one click; the retry queues the app's own tasks. The browser test
takes docs/admin-failures.png; the worker test retries a failed analysis end to end and
reads the worker's metrics and JSON log lines."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from photodesk.models import ImageAnalysis

from .browser import PASSWORD, log_in, save_screenshot
from .conftest import DEMO_PHOTOS
from .helpers import jpeg_bytes, make_image

CHANGELIST = "/admin/semantic_search/imageanalysis/"
DOCS = Path(__file__).resolve().parent.parent / "docs"


def failed_analysis(name: str, error: str = "OSError: the storage did not answer") -> ImageAnalysis:
    image = make_image(jpeg_bytes((40, 80, 160)), name=name)
    analysis, _ = ImageAnalysis.objects.update_or_create(
        image=image, defaults={"status": ImageAnalysis.Status.FAILED, "error": error}
    )
    return analysis


def stalled_write(name: str, minutes: float = 5) -> ImageAnalysis:
    """An analysed image whose index write has been owed for `minutes`."""
    image = make_image(jpeg_bytes((160, 80, 40)), name=name)
    analysis, _ = ImageAnalysis.objects.update_or_create(
        image=image, defaults={"status": ImageAnalysis.Status.DONE, "index_pending": True}
    )
    ImageAnalysis.objects.filter(pk=analysis.pk).update(
        updated=timezone.now() - dt.timedelta(minutes=minutes)
    )
    return analysis


def queued(func: str) -> list[tuple]:
    """(args) of the tasks waiting in django-q2's ORM queue for photodesk.tasks.<func>."""
    from django_q.models import OrmQ

    wanted = f"photodesk.tasks.{func}"
    return [row.task["args"] for row in OrmQ.objects.all() if row.task.get("func") == wanted]


@pytest.mark.django_db
def test_failures_are_counted_filtered_and_retried_by_the_row_button(staff_client):
    failed = failed_analysis("broken.jpg")
    stalled = stalled_write("owed.jpg")
    fresh = stalled_write("just-now.jpg", minutes=0)  # its write is normally on its way

    page = staff_client.get(CHANGELIST).content.decode()
    assert "1 failed analysis" in page and "1 failed index write" in page
    listed = staff_client.get(CHANGELIST, {"problem": "any"}).context["cl"].result_list
    assert {a.pk for a in listed} >= {failed.pk, stalled.pk} and fresh not in listed

    retry = reverse("admin:semantic_search_imageanalysis_retry", args=[failed.pk])
    assert staff_client.get(retry).status_code == 405  # a click, not a link preview
    response = staff_client.post(retry, follow=True)
    assert "Queued the analysis of 1 image(s)" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.error) == (ImageAnalysis.Status.PENDING, "")
    assert [failed.image_id, True] in [list(args) for args in queued("analyze_image")]

    staff_client.post(reverse("admin:semantic_search_imageanalysis_retry", args=[stalled.pk]))
    assert [stalled.image_id, 1] in [list(args) for args in queued("sync_index")]


@pytest.mark.django_db
def test_the_bulk_action_retries_both_kinds_and_viewers_cannot_retry(
    staff_client, django_user_model
):
    from django.contrib.auth.models import Permission

    failed, stalled = failed_analysis("a.jpg"), stalled_write("b.jpg")
    response = staff_client.post(
        CHANGELIST,
        {"action": "retry_failures", "_selected_action": [failed.pk, stalled.pk]},
        follow=True,
    )
    assert (
        "Queued the analysis of 1 image(s); queued the index write of 1 image(s)."
        in response.content.decode()
    )

    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_imageanalysis"))
    client = Client()
    client.force_login(viewer)
    again = failed_analysis("c.jpg")
    page = client.get(CHANGELIST, {"problem": "analysis"}).content.decode()
    assert "Analysis failed" in page and "photodesk-retry" not in page
    retry = reverse("admin:semantic_search_imageanalysis_retry", args=[again.pk])
    assert client.post(retry).status_code == 403
    again.refresh_from_db()
    assert again.status == ImageAnalysis.Status.FAILED


@pytest.mark.browser
def test_an_editor_sees_the_failures_and_retries_one_in_the_browser(
    live_server, browser_page, django_user_model, request
):
    django_user_model.objects.create_superuser("ops", "o@example.com", PASSWORD)
    failed = failed_analysis("harbour-night.jpg", "InvalidImage: the file is truncated")
    failed_analysis("press-conference.jpg", "AnalyzerError: Rekognition refused the image")
    stalled_write("election-night.jpg")
    page = browser_page
    try:
        log_in(page, live_server.url, "ops")
        page.goto(f"{live_server.url}{CHANGELIST}?problem=any")
        problems = page.inner_text("ul.photodesk-problems")
        assert "2 failed analyses" in problems and "1 failed index write" in problems
        assert page.locator("#result_list tbody tr").count() == 3
        page.click("#toggle-nav-sidebar")  # the list, wide enough for its buttons
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "admin-failures.png"), full_page=True)

        row = page.locator("#result_list tbody tr", has_text="the file is truncated")
        row.locator("button.photodesk-retry").click()
        page.wait_for_selector("ul.messagelist li.success")
        assert "Queued the analysis of 1 image(s)" in page.inner_text("ul.messagelist")
        failed.refresh_from_db()
        assert failed.status == ImageAnalysis.Status.PENDING
        assert page.locator("#result_list tbody tr").count() == 2  # back on the filtered list
    except Exception:
        save_screenshot(page, request)
        raise


@pytest.fixture
def shared_metrics_dir(tmp_path, monkeypatch) -> Path:
    """PROMETHEUS_MULTIPROC_DIR for the worker started after it (it copies the environment),
    and for /metrics in this process; JSON log lines from the worker."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    monkeypatch.setenv("DJANGO_LOG_FORMAT", "json")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.worker
def test_a_retried_analysis_runs_in_the_worker_whose_metrics_and_logs_operators_read(
    shared_metrics_dir, worker, django_user_model, settings
):
    settings.PHOTODESK = {**settings.PHOTODESK, "METRICS_TOKEN": "t"}
    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="cat.jpg")

    def status() -> str:
        return ImageAnalysis.objects.filter(image=image).values_list("status", flat=True).first()

    assert worker.wait_for(lambda: status() == "done", timeout=180), worker.log_tail()
    ImageAnalysis.objects.filter(image=image).update(status="failed", error="OSError: gone")
    admin = django_user_model.objects.create_superuser("ops", "o@example.com", "pw")
    client = Client()
    client.force_login(admin)
    analysis = ImageAnalysis.objects.get(image=image)
    client.post(reverse("admin:semantic_search_imageanalysis_retry", args=[analysis.pk]))

    assert worker.wait_for(lambda: status() == "done", timeout=120), worker.log_tail()
    assert ImageAnalysis.objects.get(image=image).attempts == 2

    # The worker's histograms, summed from the shared directory by the web's /metrics.
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode()
    assert 'photodesk_analysis_step_duration_seconds_count{step="labels"} 2.0' in text, text[:2000]
    assert "photodesk_queue_depth " in text and 'photodesk_analyses{state="done"}' in text

    # One JSON line per analysis, naming the image and the django-q2 task that ran it.
    lines = [json.loads(x) for x in worker.log.read_text().splitlines() if x.startswith("{")]
    analysed = [x for x in lines if x.get("image_id") == image.pk and "timings" in x]
    assert len(analysed) == 2 and all(x["task_id"] for x in analysed)
    assert len({x["task_id"] for x in analysed}) == 2
