"""Connect the site's image model and Photodesk's own models to the queue: snapshot what a
save may change, and enqueue the follow-up once the transaction commits. Nothing else.

A save queues analysis only when the file changed (new image, new upload), and only after the
transaction commits, so the worker never reads a row that is not there yet. A save that changes
only what people wrote (title, caption, credit, rights) re-embeds and re-indexes the image from
the stored facts, without running a model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import (
    post_delete,
    post_init,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)

from photodesk import indexing, tasks
from photodesk.analysis import borrowed
from photodesk.conf import photodesk_settings
from photodesk.host import get_article_model, get_image_model, get_video_model
from photodesk.insights import rollup
from photodesk.models import Face, ImageLabel, Label, Person, SeriesMember
from photodesk.people.queries import images_showing
from photodesk.people.recognition import delete_thumbnail_later, faces_changed
from photodesk.signals import people_shown_changed, tags_decided

_SNAPSHOT = "_photodesk_file_name"
_TEXT_SNAPSHOT = "_photodesk_written_fields"
# Fields of the image model that reach its description, index document or filters.
WRITTEN_FIELDS = ("title", "caption", "credit", "copyright", "rights")


def _file_name(instance: Any) -> str:
    field = getattr(instance, photodesk_settings.IMAGE_FILE_FIELD, None)
    return field.name if field else ""


def _written(instance: Any) -> tuple:
    deferred = instance.get_deferred_fields()
    return tuple(
        getattr(instance, name, None) if name not in deferred else None for name in WRITTEN_FIELDS
    )


def remember_file(sender, instance, **kwargs) -> None:
    setattr(instance, _SNAPSHOT, _file_name(instance) if instance.pk else None)
    setattr(instance, _TEXT_SNAPSHOT, _written(instance) if instance.pk else None)


def queue_analysis_on_save(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata
        return
    current = _file_name(instance)
    # robust: whatever goes wrong after the commit (the queue, the database) is logged by
    # Django and never fails the site's save; the analysis stays pending (`manage.py analyze`).
    if created or current != getattr(instance, _SNAPSHOT, None):
        transaction.on_commit(partial(tasks.enqueue_analysis, instance.pk), robust=True)
    elif _written(instance) != getattr(instance, _TEXT_SNAPSHOT, None):
        # Committed with the edit: if the refresh is lost, reconcile still finds the image.
        indexing.mark_pending(instance.pk, indexed_only=True)
        transaction.on_commit(partial(tasks.enqueue_refresh, instance.pk), robust=True)
    setattr(instance, _SNAPSHOT, current)
    setattr(instance, _TEXT_SNAPSHOT, _written(instance))


def refresh_borrowers_on_delete(sender, instance, **kwargs) -> None:
    """Photos that borrowed this one's words are refreshed without them. Read before the
    delete: the neighbour rows go with the image."""
    borrowers = borrowed.listing([instance.pk])
    if borrowers:
        transaction.on_commit(partial(tasks.enqueue_refresh_many, borrowers), robust=True)


def rescore_series_on_delete(sender, instance, **kwargs) -> None:
    """A deleted frame leaves its series: the rest are scored again (its best may have been
    this one) and a series of one is dissolved. Read before the delete: the member row goes
    with the image."""
    series_id = (
        SeriesMember.objects.filter(image_id=instance.pk, series__isnull=False)
        .values_list("series_id", flat=True)
        .first()
    )
    if series_id is not None:
        transaction.on_commit(partial(tasks.enqueue_series_rescore, series_id), robust=True)


def remove_on_delete(sender, instance, **kwargs) -> None:
    # The removal is owed in the delete's own transaction (the outbox) and done by a task
    # after the commit: the request never waits for the index, and a removal that fails (or
    # a worker that dies) leaves the row for the retry, the catch-up and reconcile.
    indexing.owe_removal(instance.pk)
    transaction.on_commit(tasks.enqueue_drain, robust=True)


_LABEL_SNAPSHOT = "_photodesk_label_terms"


def _label_terms(label) -> tuple:
    return (label.name, tuple(sorted(label.synonyms or [])), label.active, label.parent_id)


def remember_label(sender, instance, **kwargs) -> None:
    # A partially loaded label (.only()) would reload itself here, endlessly: skip it.
    complete = instance.pk and not instance.get_deferred_fields()
    setattr(instance, _LABEL_SNAPSHOT, _label_terms(instance) if complete else None)


def apply_new_or_changed_label(sender, instance, created: bool, raw: bool = False, **kwargs):
    """A new label, or new words for one, reaches the whole archive in the background."""
    if raw:
        return
    current = _label_terms(instance)
    if instance.active and (created or current != getattr(instance, _LABEL_SNAPSHOT, None)):
        transaction.on_commit(partial(tasks.enqueue_label_application, instance.pk))
    setattr(instance, _LABEL_SNAPSHOT, current)


def delete_face_crop(sender, instance, **kwargs) -> None:
    """A face row went (its image was deleted, re-analysis replaced it): its crop goes too."""
    delete_thumbnail_later(instance.thumbnail.name if instance.thumbnail else "")


def release_faces_of_person(sender, instance, **kwargs) -> None:
    """A person is deleted: their faces become unnamed (not decided), the images stay and
    are re-indexed without the name; the freed faces may be clustered again."""
    faces = Face.objects.filter(person=instance)
    image_ids = list(faces.values_list("image_id", flat=True))
    faces.update(
        person=None,
        state=Face.State.UNKNOWN,
        distance=None,
        cluster=None,
        decided_by=None,
        decided_at=None,
    )
    faces_changed(image_ids)
    if image_ids:
        transaction.on_commit(tasks.enqueue_clustering)


def reindex_person_photos(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A person's name or aliases may have changed: their photos' documents carry them."""
    if raw or created:
        return
    faces_changed(images_showing(instance).values_list("pk", flat=True))


def check_people_alerts(sender, image_ids: list, **kwargs) -> None:
    """Faces named after the analysis (review, a cluster named) reach the person alert rules
    once the naming commits."""
    ids = sorted(set(image_ids))
    if ids:
        transaction.on_commit(partial(tasks.enqueue_people_alert_check, ids), robust=True)


class AfterCommit:
    """Image ids named during a transaction, handed to `task` once after it commits: a request
    that decides five tags of one image refreshes (and re-indexes) it once, not five times.
    Ids named in a transaction (or savepoint) that rolled back are dropped with it."""

    def __init__(self, task: Callable[[list], Any]) -> None:
        self.task = task
        self._local = threading.local()  # each thread commits on its own connection

    @property
    def pending(self) -> set:
        if not hasattr(self._local, "ids"):
            self._local.ids = set()
        return self._local.ids

    def add(self, sender, image_ids: list, **kwargs) -> None:
        connection = transaction.get_connection()
        # No flush of ours waiting in this transaction: what is pending was rolled back.
        # (run_on_commit: Django's list of (savepoint ids, callback, robust) to run.)
        if not any(entry[1] == self.flush for entry in connection.run_on_commit):
            self.pending.clear()
        self.pending.update(image_ids)
        # Their index entries are behind from this commit on, until `task` rewrites them.
        indexing.mark_pending(image_ids, indexed_only=True)
        transaction.on_commit(self.flush)

    def flush(self) -> None:
        ids, self._local.ids = self.pending, set()
        if ids:  # the first flush after a commit does the work; the others find nothing
            self.task(sorted(ids))


reindex_after_commit = AfterCommit(tasks.reindex_images)  # who these images show changed
refresh_after_commit = AfterCommit(tasks.refresh_images)  # people decided their tags


_COUNTED = "_photodesk_counted"  # what a label row or image counted in the rollups when stored


def remember_label_count(sender, instance, raw: bool = False, **kwargs) -> None:
    """Read (from the database, not the maybe stale instance) what the row counted before."""
    if not raw:
        setattr(
            instance, _COUNTED, None if instance._state.adding else rollup.stored_label(instance.pk)
        )


def count_saved_label(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        now = rollup.counted_label(instance)
        rollup.label_changed(getattr(instance, _COUNTED, None), now)
        setattr(instance, _COUNTED, now)


def count_deleted_label(sender, instance, **kwargs) -> None:
    """Also as an image is deleted: its label rows go first, while the image row is there."""
    rollup.label_changed(rollup.counted_label(instance), None)


def remember_image_bucket(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        before = None if instance._state.adding else rollup.stored_bucket(instance.pk)
        setattr(instance, _COUNTED, before)


def count_saved_image(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        rollup.image_changed(
            getattr(instance, _COUNTED, None), rollup.bucket_of(instance), instance.pk
        )


def count_deleted_image(sender, instance, **kwargs) -> None:
    rollup.image_changed(rollup.bucket_of(instance), None, instance.pk)


def forget_label_counts(sender, instance, **kwargs) -> None:
    rollup.label_deleted(instance.pk)


def ready_rollups(sender, **kwargs) -> None:
    """After migrate: an empty archive's rollups are ready (kept from the first image on)."""
    rollup.mark_built_if_empty()


def _video_file_name(instance: Any) -> str:
    field = getattr(instance, photodesk_settings.VIDEO_FILE_FIELD, None)
    return field.name if field else ""


def remember_video_file(sender, instance, **kwargs) -> None:
    setattr(instance, _SNAPSHOT, _video_file_name(instance) if instance.pk else None)


def queue_video_analysis_on_save(
    sender, instance, created: bool, raw: bool = False, **kwargs
) -> None:
    if raw:
        return
    current = _video_file_name(instance)
    if created or current != getattr(instance, _SNAPSHOT, None):
        transaction.on_commit(partial(tasks.enqueue_video_analysis, instance.pk), robust=True)
    setattr(instance, _SNAPSHOT, current)


def remove_video_on_delete(sender, instance, **kwargs) -> None:
    transaction.on_commit(partial(tasks.remove_video, instance.pk), robust=True)


def _article_key(instance: Any) -> tuple[int, Any]:
    kind = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    return kind.pk, instance.pk


def sync_usage_on_article_save(sender, instance, raw: bool = False, **kwargs) -> None:
    """An article's words reach the images it uses (and leave those it stopped using)."""
    if raw:
        return
    content_type_id, article_id = _article_key(instance)
    transaction.on_commit(partial(tasks.enqueue_usage, content_type_id, article_id), robust=True)


def forget_usage_on_article_delete(sender, instance, **kwargs) -> None:
    content_type_id, article_id = _article_key(instance)
    transaction.on_commit(
        partial(tasks.enqueue_usage, content_type_id, article_id, deleted=True), robust=True
    )


def schedule_recovery(sender, **kwargs) -> None:
    """After migrate: the periodic repair (tasks.recover) is scheduled, once."""
    tasks.ensure_recover_schedule()


def connect() -> None:
    post_migrate.connect(
        schedule_recovery,
        sender=apps.get_app_config("semantic_search"),
        dispatch_uid="photodesk-recover-schedule",
    )
    post_migrate.connect(
        ready_rollups,
        sender=apps.get_app_config("semantic_search"),
        dispatch_uid="photodesk-rollups-ready",
    )
    try:
        model = get_image_model()
    except (ImproperlyConfigured, LookupError, ValueError):
        model = None  # IMAGE_MODEL missing or wrong: the system check says so (photodesk.E002)
    if model is not None:
        post_init.connect(remember_file, sender=model, dispatch_uid="photodesk-post-init")
        post_save.connect(queue_analysis_on_save, sender=model, dispatch_uid="photodesk-post-save")
        post_delete.connect(remove_on_delete, sender=model, dispatch_uid="photodesk-post-delete")
        pre_delete.connect(
            refresh_borrowers_on_delete, sender=model, dispatch_uid="photodesk-pre-delete"
        )
        pre_delete.connect(
            rescore_series_on_delete, sender=model, dispatch_uid="photodesk-series-delete"
        )
        pre_save.connect(remember_image_bucket, sender=model, dispatch_uid="photodesk-rollup-i0")
        post_save.connect(count_saved_image, sender=model, dispatch_uid="photodesk-rollup-i1")
        post_delete.connect(count_deleted_image, sender=model, dispatch_uid="photodesk-rollup-i2")
    try:
        video_model = get_video_model()
    except (LookupError, ValueError):
        video_model = None  # VIDEO_MODEL wrong: the system check says so
    if video_model is not None:
        post_init.connect(remember_video_file, sender=video_model, dispatch_uid="photodesk-v-init")
        post_save.connect(
            queue_video_analysis_on_save, sender=video_model, dispatch_uid="photodesk-v-save"
        )
        post_delete.connect(
            remove_video_on_delete, sender=video_model, dispatch_uid="photodesk-v-delete"
        )

    try:
        article_model = get_article_model()
    except (ImproperlyConfigured, LookupError, ValueError):
        article_model = None  # ARTICLE_MODEL wrong: the system check says so
    if article_model is not None:
        post_save.connect(
            sync_usage_on_article_save, sender=article_model, dispatch_uid="photodesk-article-save"
        )
        post_delete.connect(
            forget_usage_on_article_delete,
            sender=article_model,
            dispatch_uid="photodesk-article-delete",
        )

    post_init.connect(remember_label, sender=Label, dispatch_uid="photodesk-label-init")
    post_save.connect(apply_new_or_changed_label, sender=Label, dispatch_uid="photodesk-label")

    # Proxies too (the review queue's ReviewItem): a signal names the class that was saved.
    for label_model in [m for m in apps.get_models() if issubclass(m, ImageLabel)]:
        uid = f"photodesk-rollup-{label_model._meta.model_name}"
        pre_save.connect(remember_label_count, sender=label_model, dispatch_uid=f"{uid}-0")
        post_save.connect(count_saved_label, sender=label_model, dispatch_uid=f"{uid}-1")
        post_delete.connect(count_deleted_label, sender=label_model, dispatch_uid=f"{uid}-2")
    post_delete.connect(forget_label_counts, sender=Label, dispatch_uid="photodesk-rollup-l3")

    post_delete.connect(delete_face_crop, sender=Face, dispatch_uid="photodesk-face-crop")
    pre_delete.connect(release_faces_of_person, sender=Person, dispatch_uid="photodesk-person")
    post_save.connect(reindex_person_photos, sender=Person, dispatch_uid="photodesk-person-save")
    people_shown_changed.connect(reindex_after_commit.add, dispatch_uid="photodesk-people-shown")
    people_shown_changed.connect(check_people_alerts, dispatch_uid="photodesk-people-alerts")
    tags_decided.connect(refresh_after_commit.add, dispatch_uid="photodesk-tags-decided")
