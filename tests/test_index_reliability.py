"""Index writes that fail, for real: a node that refuses connections or never answers.

The database keeps every analysis marked index-pending until a write succeeds, so a task
redelivered after a crash, a retry or `reconcile` finishes the job; while the index is known
down, writes fail at once instead of each waiting for the node's timeout."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command

from photodesk import tasks
from photodesk.models import ImageAnalysis
from photodesk.search.index import get_index
from photodesk.search.index.breaker import Breaker, IndexKnownDown

from .conftest import DEMO_PHOTOS
from .helpers import free_port, make_image
from .opensearch_support import OPENSEARCH_URL, use_opensearch

TIMEOUT = 0.5  # seconds a write waits for a node that never answers


@contextmanager
def silent_node() -> Iterator[str]:
    """A port that accepts connections and never answers (a hung node): each request waits
    for the client's timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def point_at(settings, alias: str, url: str, **extra) -> None:
    use_opensearch(
        settings, alias, url, OPENSEARCH_MAX_RETRIES=0, OPENSEARCH_TIMEOUT=TIMEOUT, **extra
    )


def retries_for(pk: int):
    from django_q.models import Schedule

    return Schedule.objects.filter(func="photodesk.tasks.sync_index", args__startswith=f"{pk},")


@pytest.mark.django_db
def test_a_redelivered_analysis_task_indexes_what_a_dead_worker_committed(
    archive, alias, settings, fast_analyzers
):
    image = make_image((DEMO_PHOTOS / "animal_cat_chelsea.jpg").read_bytes(), "cat.jpg")
    point_at(settings, alias, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert tasks.analyze_image(image.pk) == "done"  # the facts are committed ...
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.index_pending  # ... and the database knows the index lacks them
    # The worker died before any retry ran: no retry exists.
    retries_for(image.pk).delete()

    point_at(settings, alias, OPENSEARCH_URL)
    assert image.pk not in get_index().ids()
    assert tasks.analyze_image(image.pk) == "done"  # the broker redelivers the task
    assert image.pk in get_index().ids()
    assert not ImageAnalysis.objects.get(image=image).index_pending


@pytest.mark.django_db
def test_reconcile_and_reindex_write_index_pending_images_and_clear_the_mark(
    archive, alias, settings
):
    pk = archive["animal_cat_chelsea.jpg"]
    get_index().delete([pk])  # a write that never happened ...
    ImageAnalysis.objects.filter(image_id=pk).update(index_pending=True)  # ... marked as owed
    out = StringIO()
    call_command("reconcile", dry_run=True, stdout=out)
    assert "1 index-pending" in out.getvalue() and pk not in get_index().ids()
    call_command("reconcile", stdout=out)
    assert pk in get_index().ids()
    assert not ImageAnalysis.objects.filter(index_pending=True).exists()

    ImageAnalysis.objects.filter(image_id=pk).update(index_pending=True)
    call_command("reindex", no_progress=True, stdout=out)
    assert not ImageAnalysis.objects.filter(index_pending=True).exists()


@pytest.mark.django_db
def test_while_the_index_is_known_down_writes_fail_fast_and_catch_up_when_it_returns(
    archive, alias, settings
):
    failures = 3
    analyses = list(ImageAnalysis.objects.indexable().select_related("image")[: failures + 10])
    with silent_node() as url:
        point_at(
            settings,
            alias,
            url,
            INDEX_DOWN_AFTER_FAILURES=failures,
            INDEX_DOWN_SECONDS=60,
        )
        start = time.perf_counter()
        for analysis in analyses:
            assert not tasks.index_or_retry(analysis.image, analysis)
        elapsed = time.perf_counter() - start
    # Only the first `failures` writes waited for the timeout; the others failed at once.
    assert elapsed < (failures + 3) * TIMEOUT, elapsed
    assert elapsed < len(analyses) * TIMEOUT / 2, elapsed
    ids = [a.image_id for a in analyses]
    assert ImageAnalysis.objects.filter(image_id__in=ids, index_pending=True).count() == len(ids)
    assert all(retries_for(pk).exists() for pk in ids)

    # The index is back: the first retry writes its image and catches up with the others.
    point_at(settings, alias, OPENSEARCH_URL)
    get_index().delete(ids)
    assert tasks.sync_index(ids[0], 2) == f"indexed, {len(ids) - 1} more caught up"
    assert set(ids) <= set(get_index().ids())
    assert not ImageAnalysis.objects.filter(index_pending=True).exists()
    assert tasks.sync_index(ids[1], 2) == "current"  # its own retry finds nothing to do


@pytest.mark.django_db
def test_a_failed_index_retry_is_recorded_as_a_failure_with_its_next_try_scheduled(
    archive, alias, settings, monkeypatch
):
    from django_q.conf import Conf
    from django_q.tasks import async_task

    pk = archive["animal_cat_chelsea.jpg"]
    ImageAnalysis.objects.filter(image_id=pk).update(index_pending=True)
    point_at(settings, alias, f"http://127.0.0.1:{free_port()}")
    # django-q2's worker records a task that raises as failed (in sync mode the exception
    # comes out of its worker instead of being stored); returning would count as a success.
    monkeypatch.setattr(Conf, "SYNC", True)
    with pytest.raises(tasks.IndexWriteFailed, match="attempt 2"):
        async_task("photodesk.tasks.sync_index", pk, 2, task_name="retry-under-test")
    assert retries_for(pk).filter(args=f"{pk}, 3").exists()
    assert ImageAnalysis.objects.get(image_id=pk).index_pending


def test_the_breaker_lets_one_trial_write_through_after_the_cool_off():
    now = [0.0]
    breaker = Breaker(failures=2, cool_off=10, clock=lambda: now[0])

    def fail():
        raise ConnectionError("refused")

    for _ in range(2):
        with pytest.raises(ConnectionError):
            breaker.call(fail)
    with pytest.raises(IndexKnownDown):
        breaker.call(lambda: "not attempted")
    now[0] = 11  # cool-off over: one trial, which fails and opens it again
    with pytest.raises(ConnectionError):
        breaker.call(fail)
    with pytest.raises(IndexKnownDown):
        breaker.call(lambda: "not attempted")
    now[0] = 22
    assert breaker.call(lambda: "written") == "written"
    assert breaker.call(lambda: "written again") == "written again"  # closed


@pytest.mark.django_db
def test_an_edit_marks_the_image_index_pending_until_its_refresh_is_indexed(
    archive, alias, settings, django_capture_on_commit_callbacks
):
    from cms_images.models import Image

    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    image = Image.objects.get(pk=archive["animal_cat_chelsea.jpg"])
    with django_capture_on_commit_callbacks(execute=False) as refresh:
        image.caption = "Chelsea the cat asleep on the newsroom sofa"
        image.save()
    # Committed with the edit: a refresh lost now would still be found by reconcile.
    assert ImageAnalysis.objects.get(image=image).index_pending
    for callback in refresh:
        callback()
    assert not ImageAnalysis.objects.get(image=image).index_pending
    assert image.pk in get_index().ids()
