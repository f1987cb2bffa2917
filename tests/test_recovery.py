"""Recovery from outages and crashes, for real: deletes during an index outage (the outbox),
the index-down mark shared between processes, the queue's retry and prefetch windows, and
analyses shown "running" whose worker was killed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from photodesk import indexing, tasks
from photodesk.models import ImageAnalysis, IndexRemoval
from photodesk.search.index import get_index
from photodesk.search.index.breaker import Breaker, CacheMark, IndexKnownDown, shared_mark

from .api_support import *  # noqa: F403
from .conftest import DEMO_PHOTOS
from .helpers import make_image
from .opensearch_support import OPENSEARCH_URL, use_opensearch
from .test_index_reliability import silent_node
from .worker import ROOT

HUNG = 1.5  # seconds a write waits for a node that never answers


def point_at(settings, alias: str, url: str) -> None:
    use_opensearch(settings, alias, url, OPENSEARCH_MAX_RETRIES=0, OPENSEARCH_TIMEOUT=HUNG)


def detail(pk: int) -> str:
    from django.urls import reverse

    return reverse("photodesk-api:image-detail", args=[pk])


# --- deletes during an outage: the outbox --------------------------------------------------


@pytest.mark.django_db
def test_an_api_delete_during_an_index_outage_returns_at_once_and_leaves_no_orphan(
    archive, alias, settings, api, tmp_path, fast_analyzers, django_capture_on_commit_callbacks
):
    from django_q.models import OrmQ, Schedule

    # Images of the test's own (the API deletes their files), analysed and indexed.
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = (DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes()
    doomed, also_doomed = (make_image(photo, f"cat-{n}.jpg").pk for n in range(2))
    assert [tasks.analyze_image(pk) for pk in (doomed, also_doomed)] == ["done", "done"]
    assert {doomed, also_doomed} <= get_index().ids()
    with silent_node() as url:
        point_at(settings, alias, url)
        start = time.perf_counter()
        with django_capture_on_commit_callbacks(execute=True):
            response = api("admin").delete(detail(doomed))
        elapsed = time.perf_counter() - start
        assert response.status_code == 204, response.content
        # The request never waited for the hung node: the removal is owed, and queued.
        assert elapsed < HUNG / 2, elapsed
        assert IndexRemoval.objects.filter(image_key=str(doomed)).exists()
        queued = [t.task["func"] for t in OrmQ.objects.all()]
        assert queued.count("photodesk.tasks.drain_index_outbox") == 1
        # The worker's drain fails while the node hangs: the row stays, one retry is set.
        with pytest.raises(tasks.IndexWriteFailed):
            tasks.drain_index_outbox()
        assert IndexRemoval.objects.get(image_key=str(doomed)).attempts == 1
        assert Schedule.objects.filter(name=tasks.DRAIN_RETRY).count() == 1

    point_at(settings, alias, OPENSEARCH_URL)
    assert doomed in get_index().ids()  # the orphan, until the retry runs
    assert tasks.drain_index_outbox() == "1 removed"
    assert doomed not in get_index().ids() and not IndexRemoval.objects.exists()

    # A worker that dies before draining: the owed removal is committed, reconcile finds it.
    with django_capture_on_commit_callbacks(execute=False):
        assert api("admin").delete(detail(also_doomed)).status_code == 204
    assert also_doomed in get_index().ids()
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert "1 removals owed" in out.getvalue(), out.getvalue()
    assert also_doomed not in get_index().ids() and not IndexRemoval.objects.exists()


@pytest.mark.django_db
def test_a_delete_rolled_back_owes_the_index_nothing(archive):
    from django.db import transaction

    from cms_images.models import Image

    pk = archive["food_coffee_cup.jpg"]
    with pytest.raises(RuntimeError), transaction.atomic():
        Image.objects.get(pk=pk).delete()
        raise RuntimeError("the request failed after the delete")
    assert Image.objects.filter(pk=pk).exists() and not IndexRemoval.objects.exists()


# --- the index-down mark, shared -----------------------------------------------------------

# Another process's writes: each waits for the hung node unless the shared mark says it is down.
OTHER_PROCESS = """
import socket, sys, time
from pathlib import Path
from photodesk.search.index.breaker import Breaker, FileMark, IndexKnownDown
host, port, mark, writes = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
breaker = Breaker(failures=3, cool_off=60, shared=FileMark(mark))
def write():
    with socket.create_connection((host, port), timeout=HUNG) as sock:
        sock.recv(1)  # a node that never answers: the timeout
start, fast = time.perf_counter(), 0
for _ in range(writes):
    try:
        breaker.call(write)
    except IndexKnownDown:
        fast += 1
    except OSError:
        pass
print(f"{time.perf_counter() - start:.3f} {fast}")
""".replace("HUNG", str(HUNG))


def _other_process(url: str, mark: os.PathLike, writes: int = 6) -> tuple[float, int]:
    host, port = url.removeprefix("http://").split(":")
    out = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, host, port, str(mark), str(writes)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    return float(out[0]), int(out[1])


@pytest.mark.django_db
def test_a_process_that_finds_the_index_down_spares_the_others_their_slow_failures(
    archive, alias, settings, tmp_path
):
    settings.PHOTODESK = {**settings.PHOTODESK, "CACHE_DIR": tmp_path / "cache"}
    analyses = list(ImageAnalysis.objects.indexable().select_related("image")[:3])
    with silent_node() as url:
        point_at(settings, alias, url)
        breaker = indexing.write_breaker(get_index())
        mark = breaker.shared.path  # the default (process-local) cache: a file
        # Without the mark (another node's), the other process pays 3 timeouts itself.
        alone, fast = _other_process(url, tmp_path / "another-node")
        assert fast == 3 and alone >= 3 * HUNG, (alone, fast)
        for analysis in analyses:  # this process finds the node down ...
            assert not tasks.index_or_retry(analysis.image, analysis)
        assert breaker.is_open and mark.exists()
        told, fast = _other_process(url, mark)  # ... and the other one fails fast at once
        assert fast == 6 and told < HUNG, (told, fast)
        print(f"6 writes in another process: {alone:.2f} s alone, {told:.3f} s when told")
    # The node is back: the first successful write clears the mark for everyone.
    point_at(settings, alias, OPENSEARCH_URL)
    breaker.reset()  # its cool-off would otherwise hold this process for a minute
    assert not mark.exists()
    assert tasks.index_or_retry(analyses[0].image, analyses[0])


def test_the_mark_goes_through_a_shared_django_cache_when_there_is_one(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "django-cache"),
        }
    }
    first = Breaker(2, cool_off=30, shared=shared_mark("OpenSearchIndex:x", tmp_path))
    second = Breaker(2, cool_off=30, shared=shared_mark("OpenSearchIndex:x", tmp_path))
    assert isinstance(first.shared, CacheMark)

    def down():
        raise ConnectionError("refused")

    for _ in range(2):
        with pytest.raises(ConnectionError):
            first.call(down)
    with pytest.raises(IndexKnownDown, match="another process"):
        second.call(lambda: "not attempted")
    # Expired: the next write anywhere is the trial; its success clears the mark.
    first.shared.mark_down(time.time() - 1)
    assert second.call(lambda: "written") == "written"
    assert first.shared.down_until() == 0
    # An unreachable cache leaves each process its own breaker.
    settings.CACHES["default"]["LOCATION"] = "/proc/no-such-dir/cache"
    alone = Breaker(2, cool_off=30, shared=shared_mark("OpenSearchIndex:x", tmp_path))
    assert alone.call(lambda: "written") == "written"


# --- the queue's windows -------------------------------------------------------------------


def test_the_queue_windows_are_checked(settings):
    from photodesk.checks import check_queue_windows

    assert check_queue_windows(None) == []  # the demo settings
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 300, "retry": 300, "queue_limit": 20}
    found = {w.id: w.msg for w in check_queue_windows(None)}
    assert set(found) == {"photodesk.W090", "photodesk.W091"}
    assert "300 s" in found["photodesk.W090"] and "20 tasks" in found["photodesk.W091"]
    settings.Q_CLUSTER = {"orm": "default", "workers": 2, "timeout": 60}  # retry: 60 s default
    assert [w.id for w in check_queue_windows(None)] == ["photodesk.W090"]


# --- analyses whose worker died ------------------------------------------------------------


@pytest.mark.django_db
def test_reconcile_and_the_recover_schedule_requeue_or_fail_stale_running_analyses(
    archive, settings, separate_index
):
    from django_q.models import OrmQ, Schedule

    assert Schedule.objects.filter(
        name=tasks.RECOVER_SCHEDULE, func="photodesk.tasks.recover"
    ).exists()
    stuck, exhausted, alive = sorted(archive.values())[:3]
    long_ago = timezone.now() - dt.timedelta(seconds=tasks.stale_after_seconds() + 5)
    running = ImageAnalysis.Status.RUNNING
    ImageAnalysis.objects.filter(image_id=stuck).update(
        status=running, started_at=long_ago, attempts=1, worker="elsewhere:1"
    )
    ImageAnalysis.objects.filter(image_id=exhausted).update(
        status=running, started_at=long_ago, attempts=tasks.MAX_ATTEMPTS
    )
    # Running now, in a live process of this host: left alone.
    ImageAnalysis.objects.filter(image_id=alive).update(
        status=running, started_at=timezone.now(), worker=f"{os.uname().nodename}:{os.getpid()}"
    )
    assert tasks.recover() == "1 requeued, 1 failed, 0 index writes"
    states = dict(ImageAnalysis.objects.values_list("image_id", "status"))
    assert (states[stuck], states[exhausted], states[alive]) == ("pending", "failed", "running")
    assert "stopped" in ImageAnalysis.objects.get(image_id=exhausted).error
    assert [t.task["args"][0] for t in OrmQ.objects.all()] == [stuck]

    ImageAnalysis.objects.filter(image_id=stuck).update(status=running, started_at=long_ago)
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert "1 queued again, 0 failed" in out.getvalue()


@pytest.mark.worker
def test_an_image_whose_worker_was_killed_mid_analysis_is_analysed_again_within_seconds(worker):
    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), name="cat.jpg")

    def running_in() -> int | None:
        row = ImageAnalysis.objects.filter(image=image, status="running").first()
        return int(row.worker.rsplit(":", 1)[1]) if row and row.worker else None

    pid = eventually_fast(worker, running_in)
    assert pid != worker.process.pid  # a worker process of the cluster, not the cluster
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    # Shown running, but its process is gone: the next recover (the schedule, reconcile)
    # queues it again instead of leaving it for the broker's retry window.
    worker.wait_for(lambda: tasks.recover_stale_analyses()["requeued"], timeout=20)

    def finished() -> str | None:
        status = ImageAnalysis.objects.filter(image=image).values_list("status", flat=True)[0]
        return status if status in ("done", "failed") else None

    assert worker.wait_for(finished, timeout=120) == "done", worker.log_tail()
    recovered = time.monotonic() - killed
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.attempts == 2 and analysis.worker.rsplit(":", 1)[1] != str(pid)
    assert recovered < 180  # the broker's retry window, which it no longer waits for
    print(f"killed mid-analysis, done again {recovered:.1f} s later")


def eventually_fast(worker, probe):
    """probe()'s first truthy value, polled often (an analysis lasts seconds)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        worker.check_alive()
        if found := probe():
            return found
        time.sleep(0.05)
    raise AssertionError(f"never seen:\n{worker.log_tail()}")
