"""Every django-q2 entry point and every enqueue: thin, idempotent, safe to run twice.

The pipeline analyses and says what changed (analysis/pipeline.py); what follows is decided
here: the index write (retried with backoff while the index is down), the alert rules
(queued after the commit: they never slow or fail an analysis), face clustering, series. Task names
(photodesk.tasks.<function>) are stored in django-q2's queue and schedules: keep them stable.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from photodesk import indexing, usage
from photodesk.alerts import digest, matching, reports, schedules
from photodesk.analysis import borrowed, embedding, liveness, memory, pipeline
from photodesk.conf import photodesk_settings
from photodesk.crops import store as focal_regions
from photodesk.duplicates.grouping import record_duplicates
from photodesk.host import get_image_model, get_video_model
from photodesk.insights.projection import compute_map
from photodesk.instruments import INDEX_RETRIES, log_fields, stopwatch
from photodesk.labels.service import apply_labels
from photodesk.models import (
    AlertRule,
    ImageAnalysis,
    Label,
    Report,
    Series,
    VideoAnalysis,
    VideoShot,
)
from photodesk.people.clustering import cluster_new_faces
from photodesk.search.index.breaker import IndexKnownDown
from photodesk.series import grouping

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TASK_GROUP = "photodesk-analysis"
FACES_TASK_GROUP = "photodesk-faces"
ALERTS_TASK_GROUP = "photodesk-alerts"
INSIGHTS_TASK_GROUP = "photodesk-insights"
DUPLICATES_TASK_GROUP = "photodesk-duplicates"
MAP_SCHEDULE = "photodesk-archive-map"  # the daily refresh of the map of the archive

_inline = contextvars.ContextVar("photodesk_analyze_inline", default=False)


@contextmanager
def analysis_inline() -> Iterator[None]:
    """Within this block, saved images are analysed at once instead of queued (ingest --sync)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def _runs_inline() -> bool:
    return bool(photodesk_settings.ANALYZE_SYNC or _inline.get())


def _queue(func: str, *args: Any, group: str = TASK_GROUP, task_name: str) -> bool:
    """Hand a task to django-q2; False (logged) if it could not be queued. Enqueues run after
    the host's save has committed: a broker that is down or misconfigured, or its client
    library missing (redis), must never fail that save. What was not queued is found again
    by `manage.py analyze` (pending analyses) and `manage.py reconcile` (the index)."""
    try:
        from django_q.tasks import async_task  # django_q needs the app registry: import late

        async_task(f"photodesk.tasks.{func}", *args, group=group, task_name=task_name)
    except Exception:
        logger.exception(
            "Could not queue %s (%s); is the django-q2 broker (Q_CLUSTER) configured and "
            "running? `manage.py check` says what is missing",
            task_name,
            func,
        )
        return False
    return True


# --- analysis ----------------------------------------------------------------------------


def analyze_now(image: Any, force: bool = False) -> ImageAnalysis:
    """Analyse one image in this process and carry out what follows from it: the index entry
    written (or removed), the alert rules checked (after the commit), new faces clustered."""
    outcome = pipeline.analyze(image, force=force)
    if outcome.changed:
        index_or_retry(image, outcome.analysis)
    elif outcome.unindex:
        indexing.mark_pending(image.pk)
        write_entry(image.pk)
    elif outcome.analysis.index_pending:
        # The facts are current but their index write never happened: an earlier run of
        # this task committed them and died (or the write failed). Finish its job.
        write_entry(image.pk)
    if outcome.changed:
        lend_words_later(image, outcome.analysis)
    if (outcome.changed or outcome.newly_flagged) and matching.wanted():
        pk = image.pk
        transaction.on_commit(lambda: enqueue_alert_check(pk), robust=True)
    if outcome.unnamed_faces:
        transaction.on_commit(enqueue_clustering)
    if outcome.changed:
        pk = image.pk
        if photodesk_settings.FIND_DUPLICATES:
            transaction.on_commit(lambda: enqueue_duplicate_check(pk), robust=True)
        if photodesk_settings.SERIES:
            transaction.on_commit(lambda: enqueue_series(pk), robust=True)
    return outcome.analysis


def analyze_image(pk: int, force: bool = False) -> str:
    """Analyse image `pk`; unexpected errors are retried with backoff, up to MAX_ATTEMPTS."""
    image = get_image_model().objects.filter(pk=pk).first()
    if image is None:
        return "gone"
    try:
        return analyze_now(image, force=force).status
    except Exception:
        attempts = ImageAnalysis.objects.filter(image_id=pk).values_list("attempts", flat=True)
        attempt = next(iter(attempts), MAX_ATTEMPTS)
        if attempt < MAX_ATTEMPTS:
            retry_later(pk, delay=dt.timedelta(seconds=30 * 2 ** (attempt - 1)))
        raise
    finally:
        memory.release()  # the decoded image and the models' buffers, back to the system


def enqueue_analysis(pk: int, force: bool = False) -> None:
    """Queue (or, with ANALYZE_SYNC, run) the analysis of one image. Call after commit."""
    ImageAnalysis.objects.update_or_create(
        image_id=pk,
        defaults={"status": ImageAnalysis.Status.PENDING, "queued_at": timezone.now(), "error": ""},
    )
    if _runs_inline():
        analyze_image(pk, force=force)
        return
    if not _queue("analyze_image", pk, force, task_name=f"analyze-image-{pk}"):
        logger.error(
            "The analysis of image %s was not queued and stays pending; `manage.py analyze` "
            "queues it again once the queue works",
            pk,
        )


def retry_later(pk: int, delay: dt.timedelta) -> None:
    run_once_later(
        "analyze_image",
        str(pk),
        delay,
        f"retry-analyze-image-{pk}-{timezone.now().timestamp():.0f}",
    )
    logger.info("Analysis of image %s will be retried in %s", pk, delay)


def refresh_image(pk: int) -> str:
    """New description, vector and index entry from the stored facts (no model runs), after
    people edited what they wrote about the image or decided its tags."""
    image = get_image_model().objects.filter(pk=pk).first()
    if image is None:
        return "gone"
    analysis = pipeline.refresh(image)
    if analysis is not None:
        index_or_retry(image, analysis)
        lend_words_later(image, analysis)
    return "refreshed"


def enqueue_refresh(pk: int) -> None:
    if _runs_inline():
        refresh_image(pk)
        return
    if not _queue("refresh_image", pk, task_name=f"refresh-{pk}"):
        logger.error(
            "Image %s was not refreshed after an edit; `manage.py reconcile` brings its index "
            "entry up to date once the queue works",
            pk,
        )


def refresh_images(image_ids: Iterable[int]) -> None:
    """Refresh these images at once, in this process (after a reviewer's decisions)."""
    for pk in sorted(set(image_ids)):
        refresh_image(pk)


# --- words borrowed from similar photos ---


def lend_words_later(image: Any, analysis: ImageAnalysis) -> None:
    """After the commit, refresh the photos that borrow (or would now borrow) this photo's
    words, if it has words or had lent them."""
    if photodesk_settings.BORROW_WORDS and (
        borrowed.has_words(image, analysis) or borrowed.lends_to(image.pk)
    ):
        transaction.on_commit(lambda: enqueue_lenders_changed([image.pk]), robust=True)


def lenders_changed(lender_ids: list[int]) -> int:
    """These photos' words are new, edited or gone: refresh the photos that borrow them (a
    bounded number per photo, see borrowed.affected_by). Returns how many were refreshed."""
    affected = borrowed.affected_by(lender_ids)
    refresh_images(affected)
    return len(affected)


def enqueue_lenders_changed(lender_ids: list[int]) -> None:
    if _runs_inline():
        lenders_changed(lender_ids)
        return
    name = f"lenders-changed-{'-'.join(map(str, sorted(lender_ids)[:5]))}"
    if not _queue("lenders_changed", sorted(lender_ids), task_name=name[:100]):
        logger.error(
            "Photos that borrow words from images %s were not refreshed; `manage.py reindex "
            "--re-embed` brings them up to date",
            lender_ids,
        )


def enqueue_refresh_many(image_ids: list[int]) -> None:
    """Queue one task that refreshes these images (photos that borrowed from a deleted one)."""
    if not image_ids:
        return
    if _runs_inline():
        refresh_images(image_ids)
        return
    name = f"refresh-{'-'.join(map(str, sorted(image_ids)[:5]))}"
    if not _queue("refresh_images", sorted(image_ids), task_name=name[:100]):
        logger.error(
            "Images %s were not refreshed; `manage.py reindex --re-embed` brings them up to date",
            image_ids,
        )


# --- the index ---------------------------------------------------------------------------


class IndexWriteFailed(RuntimeError):
    """An index retry task failed (its next try is scheduled): django-q2 records a failure."""


def index_or_retry(image: Any, analysis: ImageAnalysis, attempt: int = 1) -> bool:
    """Write one image to the index. The DB already has the facts, marked index-pending: a
    failure here (the index is down) is logged and retried later by a task, and the mark
    stays until a write succeeds, so nothing is lost."""
    with stopwatch() as elapsed:
        try:
            indexing.index_image(image, analysis)
        except Exception as exc:
            indexing.mark_pending(image.pk)
            _log_write_failure(
                exc, "Could not index image %s (attempt %s)", image.pk, attempt, seconds=elapsed()
            )
            _retry_index_later(image.pk, attempt)
            return False
    indexing.mark_indexed(analysis)
    logger.info(
        "Indexed image %s in %.3f s",
        image.pk,
        elapsed(),
        extra=log_fields(image_id=image.pk, seconds=elapsed(), attempt=attempt),
    )
    return True


def unindex_or_retry(pk: int, attempt: int = 1) -> bool:
    try:
        indexing.remove_image(pk)
    except Exception as exc:
        indexing.mark_pending(pk)
        _log_write_failure(
            exc, "Could not remove image %s from the index (attempt %s)", pk, attempt
        )
        _retry_index_later(pk, attempt)
        return False
    indexing.mark_removed(pk)
    return True


def _log_write_failure(
    exc: Exception, message: str, pk: Any, attempt: int, seconds: float | None = None
) -> None:
    extra = log_fields(image_id=pk, attempt=attempt, seconds=seconds)
    if isinstance(exc, IndexKnownDown):  # no traceback for each image of an outage
        logger.warning(message + ": %s", pk, attempt, exc, extra=extra)
    else:
        logger.exception(message, pk, attempt, extra=extra)


def write_entry(pk: int, attempt: int = 1) -> bool:
    """Make image `pk`'s index entry agree with the database: indexed if it is analysed,
    removed otherwise."""
    image = get_image_model().objects.filter(pk=pk).first()
    analysis = ImageAnalysis.objects.indexable().filter(image_id=pk).first()
    if image is None or analysis is None:
        return unindex_or_retry(pk, attempt=attempt)
    return index_or_retry(image, analysis, attempt=attempt)


def remove_from_index(pk: int) -> None:
    """An image was deleted: its index entry goes (retried while the index is down). Kept
    for tasks queued before the outbox; deletes now go through drain_index_outbox."""
    unindex_or_retry(pk)


DRAIN_RETRY = "photodesk-drain-index-outbox"


def drain_index_outbox() -> str:
    """Remove deleted images' documents (IndexRemoval rows, committed with each delete) in
    bulk. While the index is down the rows stay and one retry is scheduled (its delay doubles
    with the oldest row's attempts); the task raises so django-q2 records the failure."""
    try:
        removed = indexing.drain_removals()
    except Exception as exc:
        _log_write_failure(
            exc, "Could not drain the index outbox (%s, attempt %s)", "removals", attempt=1
        )
        _schedule_drain_retry()
        raise IndexWriteFailed(f"Index removals failed: {exc}; the next try is scheduled") from exc
    return f"{removed} removed"


def enqueue_drain() -> None:
    """Queue drain_index_outbox (or run it here when analysis runs inline). Call after commit:
    the request that deleted the image never waits for the index."""
    if _runs_inline():
        # A failure is logged and its retry scheduled; the delete itself succeeded.
        with suppress(IndexWriteFailed):
            drain_index_outbox()
        return
    _queue("drain_index_outbox", task_name="drain-index-outbox")


def _schedule_drain_retry() -> None:
    from django_q.models import Schedule  # django_q needs the app registry: import late

    from photodesk.models import IndexRemoval

    try:
        if Schedule.objects.filter(name=DRAIN_RETRY).exists():
            return
        oldest = IndexRemoval.objects.order_by("pk").values_list("attempts", flat=True).first()
        exponent = min(max((oldest or 1) - 1, 0), 8)
        delay = dt.timedelta(seconds=photodesk_settings.INDEX_RETRY_SECONDS * 2**exponent)
        run_once_later("drain_index_outbox", "", delay, DRAIN_RETRY)
    except Exception:  # the database too? reconcile and the recover schedule drain it
        logger.exception("Could not schedule the next try of the index outbox")


# --- recovery ----------------------------------------------------------------------------

# Beyond the task timeout: a run older than timeout + this cannot still be going.
STALE_MARGIN_SECONDS = 60


def stale_after_seconds() -> float:
    """How long an analysis may show "running": django-q2's task timeout plus a margin."""
    from django_q.conf import Conf  # django_q needs the app registry: import late

    return float(Conf.TIMEOUT or 3600) + STALE_MARGIN_SECONDS


def recover_stale_analyses() -> dict[str, int]:
    """Analyses shown "running" whose worker died (its process is gone, or it started longer
    ago than a task may run) are queued again, or failed after MAX_ATTEMPTS, instead of
    waiting for the broker's retry window (or forever)."""
    counts = {"requeued": 0, "failed": 0}
    for analysis in liveness.stale_running(stale_after_seconds()):
        same_run = ImageAnalysis.objects.filter(
            pk=analysis.pk, status=ImageAnalysis.Status.RUNNING, started_at=analysis.started_at
        )
        if analysis.attempts < MAX_ATTEMPTS:
            message = "The worker running it stopped; queued again"
            if same_run.update(status=ImageAnalysis.Status.PENDING, error=message):
                counts["requeued"] += 1
                enqueue_analysis(analysis.image_id)
        else:
            message = f"The worker running it stopped, {analysis.attempts} times; giving up"
            if same_run.update(
                status=ImageAnalysis.Status.FAILED, error=message, finished_at=timezone.now()
            ):
                counts["failed"] += 1
        logger.warning("Image %s: %s (worker %s)", analysis.image_id, message, analysis.worker)
    return counts


RECOVER_SCHEDULE = "photodesk-recover"


def ensure_recover_schedule(minutes: int = 1) -> None:
    """Schedule tasks.recover every `minutes` unless a schedule of that name exists (a site
    may change its interval, or delete it and run `manage.py reconcile` from cron)."""
    try:
        from django_q.models import Schedule  # django_q needs the app registry: import late

        Schedule.objects.get_or_create(
            name=RECOVER_SCHEDULE,
            defaults={
                "func": "photodesk.tasks.recover",
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now() + dt.timedelta(minutes=minutes),
            },
        )
    except Exception:  # django_q not installed or not migrated: check E050 says so
        logger.warning("Could not schedule %s", RECOVER_SCHEDULE, exc_info=True)


def recover() -> str:
    """The periodic repair (a django-q2 schedule; `manage.py reconcile` does the same): stale
    "running" analyses requeued or failed, then the index's debts written in bulk (pending
    images, the outbox of deletes). Raises if the index is still down."""
    counts = recover_stale_analyses()
    written = indexing.catch_up()
    return f"{counts['requeued']} requeued, {counts['failed']} failed, {written} index writes"


def reindex_images(image_ids: Iterable[int]) -> None:
    """Rewrite the index entries of these analysed images (who they show changed)."""
    ids = sorted(set(image_ids))
    analyses = ImageAnalysis.objects.indexable().filter(image_id__in=ids)
    images = get_image_model().objects.in_bulk(ids)
    for analysis in analyses:
        image = images.get(analysis.image_id)
        if image is not None:
            # A named person now outranks the other faces: from the stored faces, no decode.
            focal_regions.update(image)
            index_or_retry(image, analysis)


def sync_index(pk: int, attempt: int = 2) -> str:
    """A retry after an index outage: make the index agree with the database for image `pk`,
    then catch up in bulk with every other image the outage left index-pending. A failure
    schedules the next try and raises, so django-q2 records it as failed."""
    analysis = ImageAnalysis.objects.filter(image_id=pk).first()
    if analysis is not None and not analysis.index_pending:
        return "current"  # an earlier retry's catch-up wrote it
    if not write_entry(pk, attempt=attempt):
        raise IndexWriteFailed(
            f"Index write for image {pk} failed (attempt {attempt}); "
            + (
                "the next try is scheduled"
                if attempt < photodesk_settings.INDEX_RETRY_ATTEMPTS
                else "giving up: `manage.py reconcile` repairs it"
            )
        )
    try:
        caught_up = indexing.catch_up()
    except Exception:
        logger.exception("Catching up the index after image %s failed", pk)
        caught_up = 0  # their own retries are still scheduled
    return f"indexed, {caught_up} more caught up" if caught_up else "indexed"


def enqueue_index_write(pk: int) -> bool:
    """Queue a write of image `pk`'s index entry now (a person asked for it: the admin's
    retry); a failure schedules the usual retries."""
    return _queue("sync_index", pk, 1, task_name=f"index-image-{pk}-retry")


def catch_up_index() -> int:
    """Write every index-pending image in bulk (also run by `manage.py reconcile`)."""
    return indexing.catch_up()


def _retry_index_later(pk: int, attempt: int) -> None:
    try:
        if schedule_index_sync(pk, attempt + 1):
            INDEX_RETRIES.inc()
    except Exception:  # the database too? reconcile will still find the drift
        logger.exception("Could not schedule a retry for image %s", pk)


def schedule_index_sync(pk: int, attempt: int) -> bool:
    """Run sync_index(pk) later, with a delay that doubles each attempt; give up after
    INDEX_RETRY_ATTEMPTS (`manage.py reconcile` finds whatever is left). False if it gave up."""
    if attempt > photodesk_settings.INDEX_RETRY_ATTEMPTS:
        logger.error(
            "Giving up indexing image %s after %s attempts; `manage.py reconcile` repairs it",
            pk,
            attempt - 1,
            extra=log_fields(image_id=pk, attempt=attempt - 1),
        )
        return False
    delay = dt.timedelta(seconds=photodesk_settings.INDEX_RETRY_SECONDS * 2 ** (attempt - 2))
    run_once_later("sync_index", f"{pk}, {attempt}", delay, f"index-image-{pk}-attempt-{attempt}")
    logger.info(
        "Indexing of image %s will be retried in %s",
        pk,
        delay,
        extra=log_fields(image_id=pk, attempt=attempt, delay_seconds=delay.total_seconds()),
    )
    return True


def run_once_later(task: str, args: str, delay: dt.timedelta, name: str) -> None:
    """Schedule photodesk.tasks.<task>(*args) once, after `delay` (the retry backoff)."""
    from django_q.models import Schedule  # django_q needs the app registry: import late

    Schedule.objects.create(
        func=f"photodesk.tasks.{task}",
        args=args,
        schedule_type=Schedule.ONCE,
        repeats=-1,  # deleted once it has run
        next_run=timezone.now() + delay,
        name=name,
    )


# --- labels ------------------------------------------------------------------------------


def apply_label_everywhere(label_id: int) -> int:
    """A label was added or its name/synonyms changed: match it against every analysed image's
    stored facts (no model runs) and re-index the images whose tags changed."""
    label = Label.objects.filter(pk=label_id).first()
    if label is None:
        return 0
    changed_images = 0
    joint = embedding.joint_model()
    analyses = ImageAnalysis.objects.done().select_related("image").order_by("image_id")
    for analysis in analyses.iterator(chunk_size=200):
        with transaction.atomic():  # new tags and the index's debt, together
            changed = apply_labels(analysis.image, analysis, only=[label], joint=joint)
            if changed:
                indexing.mark_pending(analysis.image_id)
        if changed:
            changed_images += 1
            index_or_retry(analysis.image, analysis)
    logger.info("Label %s applied to the archive: %s image(s) changed", label, changed_images)
    return changed_images


def enqueue_label_application(label_id: int) -> None:
    if _runs_inline():
        apply_label_everywhere(label_id)
        return
    _queue("apply_label_everywhere", label_id, task_name=f"apply-label-{label_id}")


# --- words from use ----------------------------------------------------------------------


def sync_article_usage(content_type_id: int, article_id: Any) -> int:
    """An article was saved: its title and summary reach the images it uses, and leave those
    it no longer uses; only those images are refreshed and re-indexed, in this one task."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    article = model._default_manager.filter(pk=article_id).first() if model else None
    changed = (
        usage.sync_article(article)
        if article is not None
        else usage.forget_article(content_type_id, article_id)
    )
    refresh_images(changed)
    return len(changed)


def forget_article_usage(content_type_id: int, article_id: Any) -> int:
    """An article was deleted: its words leave the images it used."""
    changed = usage.forget_article(content_type_id, article_id)
    refresh_images(changed)
    return len(changed)


def enqueue_usage(content_type_id: int, article_id: Any, *, deleted: bool = False) -> None:
    """Queue (or run inline) the sync of an article's words after it was saved or deleted.
    Call after commit."""
    func = forget_article_usage if deleted else sync_article_usage
    if _runs_inline():
        func(content_type_id, article_id)
        return
    name = f"usage-{content_type_id}-{article_id}"
    if not _queue(func.__name__, content_type_id, str(article_id), task_name=name):
        logger.error(
            "The words of article %s were not brought to its images; saving it again does",
            article_id,
        )


# --- faces -------------------------------------------------------------------------------


def cluster_faces() -> dict[str, int]:
    """New unnamed faces join (or form) clusters; see people/clustering.py."""
    return cluster_new_faces()


def enqueue_clustering() -> None:
    """Queue cluster_faces (or run it at once when analysis runs inline). Call after commit,
    like the analysis tasks."""
    if _runs_inline():
        cluster_new_faces()
        return
    _queue("cluster_faces", group=FACES_TASK_GROUP, task_name="cluster-new-faces")


# --- duplicates ----------------------------------------------------------------------------


def find_duplicates(pk: int) -> str:
    """Image `pk` was analysed: group it with its copies in the archive, if it has any."""
    image = get_image_model().objects.filter(pk=pk).first()
    if image is None:
        return "gone"
    group = record_duplicates(image)
    return f"group {group.pk}" if group else "no copies"


def enqueue_duplicate_check(pk: int) -> None:
    if _runs_inline():
        find_duplicates(pk)
        return
    _queue("find_duplicates", pk, group=DUPLICATES_TASK_GROUP, task_name=f"duplicates-{pk}")


# --- series (bursts) ---------------------------------------------------------------------


def place_in_series(pk: int) -> int | None:
    """Image `pk` was analysed: join it to its series (see series/grouping.py); the series id."""
    series = grouping.place(pk)
    return series.pk if series else None


def rescore_series(series_id: int) -> str:
    """A frame of series `series_id` was deleted: count, score and pick again (from the frames'
    stored measures); a series left with one frame is dissolved."""
    series = Series.objects.filter(pk=series_id).first()
    if series is None:
        return "gone"
    return "dissolved" if grouping.rescore(series) is None else f"{series.size} frames"


def enqueue_series_rescore(series_id: int) -> None:
    if _runs_inline():
        rescore_series(series_id)
        return
    _queue("rescore_series", series_id, group=FACES_TASK_GROUP, task_name=f"rescore-{series_id}")


def enqueue_series(pk: int) -> None:
    if _runs_inline():
        place_in_series(pk)
        return
    _queue("place_in_series", pk, group=FACES_TASK_GROUP, task_name=f"series-{pk}")


# --- alerts and reports --------------------------------------------------------------------


def check_alerts(pk: int) -> int:
    """Image `pk`'s analysis finished: match it against the event rules and send (or
    schedule) what they gained. Returns how many rules matched."""
    rules = matching.record_analysis(pk)
    _deliver_when_due(rules)
    return len(rules)


def enqueue_alert_check(pk: int) -> None:
    """Queue check_alerts (inline with ANALYZE_SYNC). Best effort: an alert that cannot be
    checked is logged, never fails the analysis that caused it."""
    try:
        if _runs_inline():
            check_alerts(pk)
        else:
            _queue("check_alerts", pk, group=ALERTS_TASK_GROUP, task_name=f"alerts-{pk}")
    except Exception:
        logger.exception("Could not check the alert rules for image %s", pk)


def check_people_alerts(image_ids: list[int]) -> int:
    """Faces on these images were named (or unnamed) after their analysis: match the person
    rules. Returns how many rules matched."""
    rules = matching.record_people(image_ids)
    _deliver_when_due(rules)
    return len(rules)


def enqueue_people_alert_check(image_ids: list[int]) -> None:
    """Queue check_people_alerts when a person rule exists (inline with ANALYZE_SYNC). Best
    effort, like enqueue_alert_check: the naming that caused it never fails."""
    try:
        if not matching.wanted_people():
            return
        if _runs_inline():
            check_people_alerts(image_ids)
        else:
            _queue(
                "check_people_alerts",
                sorted(image_ids),
                group=ALERTS_TASK_GROUP,
                task_name=f"alerts-people-{min(image_ids)}-{len(image_ids)}",
            )
    except Exception:
        logger.exception("Could not check the person alert rules for images %s", image_ids)


def check_alert_rules() -> int:
    """The schedule photodesk-alert-rules: count rules and saved searches."""
    rules = matching.check_rules()
    _deliver_when_due(rules)
    return len(rules)


def flush_alerts(rule_id: int) -> int:
    """A rule's delayed flush: send its pending events as one message (a digest), or
    schedule the next try if its minimum interval has not passed. Returns messages sent."""
    rule = AlertRule.objects.filter(pk=rule_id).first()
    if rule is None:
        return 0
    sent = digest.deliver(rule)
    if rule.events.filter(sent_at=None).exists():
        schedules.flush_at(rule.pk, digest.due_at(rule, wait=False))
    return len(sent)


def _deliver_when_due(rules: list[AlertRule]) -> None:
    """Inline (no cluster to run a schedule) a rule sends at once if its interval allows;
    otherwise its flush is scheduled for when the digest delay and interval have passed."""
    for rule in rules:
        if _runs_inline() and digest.due_at(rule, wait=False) <= timezone.now():
            flush_alerts(rule.pk)
        else:
            schedules.flush_at(rule.pk, digest.due_at(rule))


def run_report(report_id: int) -> str:
    """A report's schedule: render it, keep the files, e-mail them."""
    report = Report.objects.filter(pk=report_id).select_related("saved_search").first()
    if report is None or not report.active:
        return "gone"
    files = reports.run(report)
    return ", ".join(f.file.name for f in files)


# --- insights ----------------------------------------------------------------------------


def refresh_archive_map() -> str:
    """Compute the map of the archive again (insights/projection.py)."""
    archive_map = compute_map()
    return f"{archive_map.images} images in {archive_map.seconds} s ({archive_map.method})"


def enqueue_archive_map() -> None:
    """Queue refresh_archive_map (or run it at once when tasks run inline), and make sure the
    daily refresh is scheduled: the map follows the archive without anyone pressing the
    button again."""
    if _runs_inline():
        refresh_archive_map()
    else:
        _queue("refresh_archive_map", group=INSIGHTS_TASK_GROUP, task_name="archive-map")
    ensure_map_schedule()


def ensure_map_schedule() -> None:
    from django_q.models import Schedule  # django_q needs the app registry: import late

    Schedule.objects.get_or_create(
        name=MAP_SCHEDULE,
        defaults={
            "func": "photodesk.tasks.refresh_archive_map",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )


# --- videos ------------------------------------------------------------------------------


def analyze_video_now(video: Any, force: bool = False) -> Any:
    """Analyse one video in this process and write (or remove) its shots' index entries."""
    from photodesk.analysis.video.pipeline import analyze_video  # the `video` extra (PyAV)

    outcome = analyze_video(video, force=force)
    if outcome.changed or outcome.analysis.index_pending:
        indexing.index_video(video, outcome.analysis)
    elif outcome.unindex:
        indexing.remove_video(video.pk)
    return outcome.analysis


def analyze_video(pk: int, force: bool = False) -> str:
    """Analyse video `pk` (a task)."""
    model = get_video_model()
    video = model.objects.filter(pk=pk).first() if model is not None else None
    if video is None:
        return "gone"
    return analyze_video_now(video, force=force).status


def enqueue_video_analysis(pk: int, force: bool = False) -> None:
    """Queue (or, with ANALYZE_SYNC, run) the analysis of one video. Call after commit."""
    VideoAnalysis.objects.update_or_create(
        video_id=pk, defaults={"status": VideoAnalysis.Status.PENDING, "error": ""}
    )
    if _runs_inline():
        analyze_video(pk, force=force)
        return
    _queue("analyze_video", pk, force, task_name=f"analyze-video-{pk}")


def remove_video(pk: int) -> None:
    """A video was deleted: its shots leave the index, its facts the database."""
    indexing.remove_video(pk)
    for shot in VideoShot.objects.filter(analysis__video_id=pk).exclude(thumbnail=""):
        shot.thumbnail.delete(save=False)
    VideoAnalysis.objects.filter(video_id=pk).delete()
