"""What Photodesk knows about each video: its analysis, its shots (one vector each), and the
facts with the times they hold: label ranges, people on screen, text read.

The video model is the site's (VIDEO_MODEL) and optional, so the rows name it by id rather
than by a foreign key a migration would have to resolve on every site; the video's deletion
removes them (signal_handlers). Like images, the database is the source of truth: the index's
shot documents are rebuilt from these rows.
"""

from __future__ import annotations

from django.db import models

from photodesk.conf import image_model_label
from photodesk.models.vectors import Float32Vector


class VideoAnalysisQuerySet(models.QuerySet):
    def done(self) -> VideoAnalysisQuerySet:
        return self.filter(status=VideoAnalysis.Status.DONE)

    def index_pending(self) -> VideoAnalysisQuerySet:
        return self.filter(index_pending=True)


class VideoAnalysis(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    video_id = models.PositiveBigIntegerField(unique=True, help_text="The site's video (pk).")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    pipeline_version = models.CharField(max_length=20, blank=True)
    model_versions = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Step → seconds.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the file is.
    container = models.CharField(max_length=40, blank=True)
    codec = models.CharField(max_length=40, blank=True)
    duration = models.FloatField(default=0.0, help_text="Seconds.")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    fps = models.FloatField(default=0.0)
    frames_sampled = models.PositiveIntegerField(default=0)
    frames_analysed = models.PositiveIntegerField(default=0)
    poster_time = models.FloatField(null=True, blank=True, help_text="Seconds.")
    flagged = models.BooleanField(default=False, help_text="A frame scored unsafe.")
    index_pending = models.BooleanField(default=False, db_index=True)
    # How many shot documents the index was last given: a re-analysis with fewer shots
    # removes the rest, a deleted video all of them.
    indexed_shots = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    objects = VideoAnalysisQuerySet.as_manager()

    class Meta:
        verbose_name = "video analysis"
        verbose_name_plural = "video analyses"

    def __str__(self) -> str:
        return f"Analysis of video {self.video_id} ({self.status})"


class VideoShot(models.Model):
    """One shot (or a slice of a long shot, VIDEO_FRAME_EVERY_SECONDS), seen through the frame
    that represents it."""

    analysis = models.ForeignKey(VideoAnalysis, on_delete=models.CASCADE, related_name="shots")
    number = models.PositiveIntegerField(help_text="0-based, in time order.")
    shot = models.PositiveIntegerField(
        default=0, help_text="The shot it belongs to (slices of one long shot share it)."
    )
    start = models.FloatField(help_text="Seconds.")
    end = models.FloatField(help_text="Seconds.")
    frame_time = models.FloatField(help_text="The representative frame, in seconds.")
    thumbnail = models.FileField(upload_to="photodesk/video_frames/", blank=True)
    labels = models.JSONField(default=list, blank=True, help_text="[{name, confidence, kind}]")
    concepts = models.JSONField(default=dict, blank=True)
    face_count = models.PositiveIntegerField(default=0)
    ocr_text = models.TextField(blank=True)
    safety_score = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True)
    embedding = models.BinaryField(null=True, blank=True, editable=False)

    vector = Float32Vector("embedding")

    class Meta:
        ordering = ["analysis", "number"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "number"], name="video_shot_number")
        ]

    def __str__(self) -> str:
        return f"Shot {self.number} of video {self.analysis.video_id}"


class VideoLabelRange(models.Model):
    """A label seen from `start` to `end` (seconds), with its best confidence and when."""

    analysis = models.ForeignKey(VideoAnalysis, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, default="class")
    start = models.FloatField()
    end = models.FloatField()
    confidence = models.FloatField(help_text="Best, 0–100.")
    best_time = models.FloatField()

    class Meta:
        ordering = ["analysis", "start", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.start:.1f}–{self.end:.1f} s"


class VideoPersonSpan(models.Model):
    """A known person on screen from `start` to `end` (seconds)."""

    analysis = models.ForeignKey(VideoAnalysis, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(
        "semantic_search.Person", on_delete=models.CASCADE, related_name="video_spans"
    )
    start = models.FloatField()
    end = models.FloatField()
    distance = models.FloatField(help_text="Best face distance to the person's known faces.")

    class Meta:
        ordering = ["analysis", "start"]

    def __str__(self) -> str:
        return f"Person {self.person_id} {self.start:.1f}–{self.end:.1f} s"


class VideoText(models.Model):
    """Text read on screen from `start` to `end` (seconds)."""

    analysis = models.ForeignKey(VideoAnalysis, on_delete=models.CASCADE, related_name="texts")
    text = models.TextField()
    start = models.FloatField()
    end = models.FloatField()
    confidence = models.FloatField(default=0.0, help_text="0–1.")

    class Meta:
        ordering = ["analysis", "start"]

    def __str__(self) -> str:
        return f"“{self.text[:40]}” {self.start:.1f}–{self.end:.1f} s"


class VideoStill(models.Model):
    """An image of the archive made from a video's frame: where and when it comes from."""

    image = models.OneToOneField(
        image_model_label(), on_delete=models.CASCADE, related_name="video_source"
    )
    video_id = models.PositiveBigIntegerField(db_index=True, help_text="The site's video (pk).")
    time = models.FloatField(help_text="Seconds into the video.")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Image {self.image_id} from video {self.video_id} at {self.time:.1f} s"
