"""django-q2 entry points: thin, idempotent, safe to run twice."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from . import pipeline
from .conf import photodesk_settings
from .images import get_image_model
from .models import ImageAnalysis

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TASK_GROUP = "photodesk-analysis"

_inline = contextvars.ContextVar("photodesk_analyze_inline", default=False)


@contextmanager
def analysis_inline() -> Iterator[None]:
    """Within this block, saved images are analysed at once instead of queued (ingest --sync)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def analyze_image(pk: int, force: bool = False) -> str:
    """Analyse image `pk`; unexpected errors are retried with backoff, up to MAX_ATTEMPTS."""
    image = get_image_model().objects.filter(pk=pk).first()
    if image is None:
        return "gone"
    try:
        return pipeline.analyze(image, force=force).status
    except Exception:
        attempts = ImageAnalysis.objects.filter(image_id=pk).values_list("attempts", flat=True)
        attempt = next(iter(attempts), MAX_ATTEMPTS)
        if attempt < MAX_ATTEMPTS:
            retry_later(pk, delay=dt.timedelta(seconds=30 * 2 ** (attempt - 1)))
        raise


def remove_from_index(pk: int) -> None:
    pipeline.remove_from_index(pk)


def sync_index(pk: int, attempt: int = 2) -> str:
    """Make the index agree with the database for one image (a retry after an index outage):
    index it if it is analysed, remove it if it is gone. A failure schedules the next try."""
    image = get_image_model().objects.filter(pk=pk).first()
    analysis = ImageAnalysis.objects.indexable().filter(image_id=pk).first()
    if image is None or analysis is None:
        return "removed" if pipeline.remove_from_index(pk, attempt=attempt) else "retrying"
    return "indexed" if pipeline.index_image(image, analysis, attempt=attempt) else "retrying"


def schedule_index_sync(pk: int, attempt: int) -> None:
    """Run sync_index(pk) later, with a delay that doubles each attempt; give up after
    INDEX_RETRY_ATTEMPTS (`manage.py reconcile` finds whatever is left)."""
    if attempt > photodesk_settings.INDEX_RETRY_ATTEMPTS:
        logger.error(
            "Giving up indexing image %s after %s attempts; `manage.py reconcile` repairs it",
            pk,
            attempt - 1,
        )
        return
    delay = dt.timedelta(seconds=photodesk_settings.INDEX_RETRY_SECONDS * 2 ** (attempt - 2))
    run_once_later("sync_index", f"{pk}, {attempt}", delay, f"index-image-{pk}-attempt-{attempt}")
    logger.info("Indexing of image %s will be retried in %s", pk, delay)


def enqueue_analysis(pk: int, force: bool = False) -> None:
    """Queue (or, with ANALYZE_SYNC, run) the analysis of one image. Call after commit."""
    ImageAnalysis.objects.update_or_create(
        image_id=pk,
        defaults={"status": ImageAnalysis.Status.PENDING, "queued_at": timezone.now(), "error": ""},
    )
    if photodesk_settings.ANALYZE_SYNC or _inline.get():
        analyze_image(pk, force=force)
        return
    from django_q.tasks import async_task

    async_task(
        "semantic_search.tasks.analyze_image",
        pk,
        force,
        group=TASK_GROUP,
        task_name=f"analyze-image-{pk}",
    )


def refresh_image(pk: int) -> str:
    """New description, vector and index entry from the stored facts (no model runs), after
    people edited what they wrote about the image."""
    image = get_image_model().objects.filter(pk=pk).first()
    if image is None:
        return "gone"
    pipeline.refresh(image)
    return "refreshed"


def enqueue_refresh(pk: int) -> None:
    if photodesk_settings.ANALYZE_SYNC or _inline.get():
        refresh_image(pk)
        return
    from django_q.tasks import async_task

    async_task(
        "semantic_search.tasks.refresh_image", pk, group=TASK_GROUP, task_name=f"refresh-{pk}"
    )


def run_once_later(task: str, args: str, delay: dt.timedelta, name: str) -> None:
    """Schedule semantic_search.tasks.<task>(*args) once, after `delay` (the retry backoff)."""
    from django_q.models import Schedule

    Schedule.objects.create(
        func=f"semantic_search.tasks.{task}",
        args=args,
        schedule_type=Schedule.ONCE,
        repeats=-1,  # deleted once it has run
        next_run=timezone.now() + delay,
        name=name,
    )


def retry_later(pk: int, delay: dt.timedelta) -> None:
    run_once_later(
        "analyze_image",
        str(pk),
        delay,
        f"retry-analyze-image-{pk}-{timezone.now().timestamp():.0f}",
    )
    logger.info("Analysis of image %s will be retried in %s", pk, delay)


def apply_label_everywhere(label_id: int) -> int:
    """A label was added or its name/synonyms changed: match it against every analysed image's
    stored facts (no model runs) and re-index the images whose tags changed."""
    from .labeling import apply_labels
    from .models import Label

    label = Label.objects.filter(pk=label_id).first()
    if label is None:
        return 0
    changed_images = 0
    analyses = ImageAnalysis.objects.done().select_related("image").order_by("image_id")
    for analysis in analyses.iterator(chunk_size=200):
        if apply_labels(analysis.image, analysis, only=[label]):
            changed_images += 1
            pipeline.index_image(analysis.image, analysis)
    logger.info("Label %s applied to the archive: %s image(s) changed", label, changed_images)
    return changed_images


def enqueue_label_application(label_id: int) -> None:
    if photodesk_settings.ANALYZE_SYNC or _inline.get():
        apply_label_everywhere(label_id)
        return
    from django_q.tasks import async_task

    async_task(
        "semantic_search.tasks.apply_label_everywhere",
        label_id,
        group=TASK_GROUP,
        task_name=f"apply-label-{label_id}",
    )


def cluster_faces() -> dict[str, int]:
    """New unnamed faces join (or form) clusters; see semantic_search.clustering."""
    from .clustering import cluster_new_faces

    return cluster_new_faces()
