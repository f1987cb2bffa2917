"""What operators see: the health probes, /metrics, the JSON log lines and the API's 500s."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.conf import settings as django_settings
from django.db.models import Count
from django.test import Client, RequestFactory
from django.urls import reverse

from photodesk import indexing, tasks
from photodesk.models import ImageAnalysis
from photodesk.search.index import get_index
from photodesk.search.index.base import IndexUnavailable

from .api_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS
from .helpers import free_port, make_image
from .opensearch_support import new_alias, use_opensearch

pytestmark = pytest.mark.django_db

LIVE, READY, METRICS = "/health/live", "/health/ready", "/metrics"
TOKEN = "scrape-token-7f3a"


def dead_opensearch(settings) -> str:
    """OpenSearch as the index, on a port nothing listens on: a node that is down."""
    url = f"http://127.0.0.1:{free_port()}"
    use_opensearch(settings, new_alias(), url, OPENSEARCH_MAX_RETRIES=0, OPENSEARCH_TIMEOUT=2)
    return url


def scrape(client: Client | None = None, **headers) -> str:
    response = (client or Client()).get(METRICS, HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in Prometheus' text format (None if absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else None


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "METRICS_TOKEN": TOKEN}


# --- health ---------------------------------------------------------------------------------


def test_live_answers_and_ready_reports_each_dependency_with_its_latency(separate_index):
    assert Client().get(LIVE).json() == {"status": "ok"}
    response = Client().get(READY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "index", "model_files"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and 0 <= check["seconds"] < 5


def test_ready_is_503_naming_the_index_when_opensearch_is_down_and_shows_no_url(settings, caplog):
    url = dead_opensearch(settings)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get(READY)
    assert response.status_code == 503
    (logged,) = [r for r in caplog.records if r.name == "django.request"]
    assert logged.levelname == "WARNING" and "Not ready (index)" in logged.getMessage()
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["index"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    assert url.split(":")[-1] not in response.content.decode()  # no address, no credentials


def test_ready_fails_fast_while_the_breaker_knows_the_index_is_down(settings):
    dead_opensearch(settings)
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_DOWN_AFTER_FAILURES": 2}
    before = sample(scrape(), "photodesk_index_write_failures_total", operation="delete") or 0
    for pk in (1, 2):
        with pytest.raises(IndexUnavailable):
            indexing.remove_image(pk)
    assert indexing.write_breaker(get_index()).is_open
    try:
        index = Client().get(READY).json()["checks"]["index"]
        assert index["status"] == "down" and "circuit breaker" in index["detail"]
        assert index["seconds"] < 0.05  # no request to the node
        failures = sample(scrape(), "photodesk_index_write_failures_total", operation="delete")
        assert failures == before + 2
    finally:
        indexing.write_breaker(get_index()).reset()


def test_ready_is_503_when_model_files_are_missing(settings, tmp_path, separate_index):
    settings.PHOTODESK = {**settings.PHOTODESK, "MODEL_DIR": tmp_path / "no-models"}
    response = Client().get(READY)
    assert response.status_code == 503
    model_files = response.json()["checks"]["model_files"]
    assert model_files["status"] == "down" and "photodesk.W030" in model_files["detail"]
    assert str(tmp_path) not in response.content.decode()


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_are_for_the_token_loopback_and_staff_who_may_view_analyses(
    settings, django_user_model
):
    from django.contrib.auth.models import Permission

    settings.PHOTODESK = {**settings.PHOTODESK, "METRICS_ALLOWED_IPS": ["10.0.0.9"]}
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    assert Client().get(METRICS, **outside).status_code == 403
    assert Client().get(METRICS, HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    assert Client().get(METRICS, HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **outside).status_code == 200
    assert Client().get(METRICS, REMOTE_ADDR="10.0.0.9").status_code == 200

    staff = django_user_model.objects.create_user("ops", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(METRICS, **outside).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_imageanalysis"))
    assert client.get(METRICS, **outside).status_code == 200


def test_metrics_count_analyses_by_state_the_index_lag_and_the_queue(archive):
    from django_q.tasks import async_task

    ImageAnalysis.objects.filter(image_id__in=list(archive.values())[:3]).update(index_pending=True)
    async_task("photodesk.tasks.cluster_faces", task_name="metrics-test")
    text = scrape()
    states = dict(ImageAnalysis.objects.values_list("status").annotate(n=Count("pk")))
    for state in ImageAnalysis.Status.values:
        assert sample(text, "photodesk_analyses", state=state) == states.get(state, 0)
    pending = ImageAnalysis.objects.filter(index_pending=True).count()
    assert sample(text, "photodesk_index_pending_documents") == pending >= 3
    assert sample(text, "photodesk_queue_depth") >= 1
    assert sample(text, "photodesk_queue_oldest_task_age_seconds") >= 0


def test_search_and_suggestion_latency_and_analysis_steps_are_histograms(
    api, archive, separate_index
):
    def count(text: str, name: str, **labels) -> float:
        return sample(text, f"{name}_count", **labels) or 0

    before = scrape()
    client = api("journalist")
    assert client.get(reverse("photodesk-api:search"), {"q": "a cat"}).status_code == 200
    suggested = client.post(
        reverse("photodesk-api:suggestions"), {"title": "Cats", "body": "A cat sleeps."}
    )
    assert suggested.status_code == 200
    tasks.analyze_now(
        make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="c2.jpg")
    )
    after = scrape()
    name = "photodesk_search_duration_seconds"
    assert count(after, name, kind="search") == count(before, name, kind="search") + 1
    assert count(after, name, kind="suggest") == count(before, name, kind="suggest") + 1
    steps = "photodesk_analysis_step_duration_seconds"
    for step in ("decode", "metadata", "labels", "safety", "embedding"):
        assert count(after, steps, step=step) >= count(before, steps, step=step) + 1, step


# --- logs and errors ------------------------------------------------------------------------


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    options = dict(django_settings.LOGGING["formatters"]["json"])
    options.pop("()")
    return JsonFormatter(**options)


def test_an_analysis_logs_one_json_line_with_the_image_and_its_durations(
    settings, separate_index, caplog
):
    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="log.jpg")
    with caplog.at_level(logging.INFO, logger="photodesk"):
        tasks.analyze_now(image)
    lines = [
        json.loads(json_formatter().format(r))
        for r in caplog.records
        if getattr(r, "image_id", None) == image.pk
    ]
    analysed = next(line for line in lines if line["message"].startswith("Analysed image"))
    assert analysed["logger"] == "photodesk.analysis.pipeline" and analysed["level"] == "INFO"
    assert analysed["seconds"] > 0 and {"decode", "labels", "embedding"} <= set(analysed["timings"])
    indexed = next(line for line in lines if line["message"].startswith("Indexed image"))
    assert indexed["seconds"] >= 0 and indexed["attempt"] == 1


def test_an_api_500_is_json_and_logged_with_its_traceback(api, settings, separate_index, caplog):
    # A backend that fails in a way nobody handled: a bug, as far as the API knows.
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_BACKEND": "tests.broken_index.BrokenIndex"}
    client = api("journalist")
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("photodesk-api:search"), {"q": "a cat"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info and "the broken index" in json_formatter().format(record)

    elsewhere = RequestFactory().get("/api/v1/not-drf/")
    from photodesk.api.errors import server_error

    assert json.loads(server_error(elsewhere).content)["code"] == "server_error"


def test_the_grafana_dashboard_reads_metrics_that_exist():
    from pathlib import Path

    dashboard = json.loads(
        (Path(__file__).resolve().parent.parent / "docs" / "grafana-photodesk.json").read_text()
    )
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {
        re.sub(r"_(bucket|count|sum|total)$", "", n)
        for e in exprs
        for n in re.findall(r"photodesk_\w+", e)
    }
    described = set(re.findall(r"^# HELP (photodesk_\w+?)(?:_total)? ", scrape(), re.MULTILINE))
    assert used and used <= described, used - described


def test_an_unwritable_multiprocess_directory_is_a_clear_error(monkeypatch, tmp_path):
    from photodesk.checks import check_metrics

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    (error,) = check_metrics(None)
    assert error.id == "photodesk.E080" and "missing" in error.msg
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert check_metrics(None) == []
