"""What Photodesk knows about each image: analysis state and the facts the models produced.

The database is the source of truth: the search index is rebuilt from these rows
(`manage.py reindex`) without re-running any model, so vectors are stored here too.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from photodesk.conf import image_model_label
from photodesk.models.vectors import Float32Vector


class AnalysisQuerySet(models.QuerySet):
    def done(self) -> AnalysisQuerySet:
        return self.filter(status=ImageAnalysis.Status.DONE)

    def indexable(self) -> AnalysisQuerySet:
        return self.done().exclude(embedding=None)

    def index_pending(self) -> AnalysisQuerySet:
        return self.filter(index_pending=True)

    def failed(self) -> AnalysisQuerySet:
        return self.filter(status=ImageAnalysis.Status.FAILED)

    def index_stalled(self, after: dt.timedelta = dt.timedelta(minutes=1)) -> AnalysisQuerySet:
        """Index writes still owed `after` the change: a write normally follows within
        seconds, so these failed (the index down, a task lost) and wait for a retry."""
        return self.index_pending().filter(updated__lt=timezone.now() - after)


class ImageAnalysis(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    image = models.OneToOneField(
        image_model_label(), on_delete=models.CASCADE, related_name="analysis"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # What was analysed and with what: together they make the task idempotent.
    content_hash = models.CharField(max_length=64, blank=True)
    pipeline_version = models.CharField(max_length=20, blank=True)
    model_versions = models.JSONField(
        default=dict, blank=True, help_text="Analyzer name → model name and version."
    )
    timings = models.JSONField(default=dict, blank=True, help_text="Step → seconds.")
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # host:pid of the process running it, so a run whose worker died is found at once
    # (tasks.recover_stale_analyses) instead of after the broker's retry window.
    worker = models.CharField(max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Facts.
    labels = models.JSONField(
        default=list, blank=True, help_text="[{name, confidence 0-100, source}] best first."
    )
    concepts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Classifier evidence: ImageNet class index → probability.",
    )
    faces = models.JSONField(default=list, blank=True, help_text="[{box: [x, y, w, h], score}]")
    face_count = models.PositiveIntegerField(default=0)
    safety_score = models.FloatField(
        null=True, blank=True, help_text="0–1, how likely the image is not safe for work."
    )
    flagged = models.BooleanField(
        default=False, db_index=True, help_text="Safety score at or above the threshold."
    )
    ocr_text = models.TextField(blank=True)
    ocr_lines = models.JSONField(
        default=list, blank=True, help_text="[{text, confidence, box}] in reading order."
    )
    photo_metadata = models.JSONField(
        default=dict, blank=True, help_text="EXIF/IPTC: caption, keywords, date, place, byline."
    )
    description = models.TextField(blank=True, help_text="The text the embedding was made from.")
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_model = models.CharField(max_length=100, blank=True)
    visual_embedding = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="The classifier's 1280-d image embedding (float32), for visual similarity.",
    )
    image_embedding = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="The image embedded by a joint image-text model (Bedrock Titan multimodal), "
        "float32, in the same space as query vectors.",
    )
    # Set in the transaction that changes what the image's index entry holds, cleared only
    # once the index has taken it: a task redelivered after a crash in between, a retry or
    # `manage.py reconcile` sees that the index still owes this image a write.
    index_pending = models.BooleanField(
        default=False, db_index=True, help_text="The index entry is behind the database."
    )
    # Indexed: the borrowed-words neighbour index reads the rows changed since it last looked.
    updated = models.DateTimeField(auto_now=True, db_index=True)

    objects = AnalysisQuerySet.as_manager()
    vector = Float32Vector("embedding")

    class Meta:
        verbose_name = "image analysis"
        verbose_name_plural = "image analyses"

    def __str__(self) -> str:
        return f"Analysis of image {self.image_id} ({self.status})"

    @property
    def total_seconds(self) -> float:
        return round(sum(self.timings.values()), 3)
