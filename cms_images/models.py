"""The host CMS: images and the articles that use them.

Photodesk's plugin (photodesk) attaches to `Image` through settings; nothing here imports it.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.db import models


def image_upload_to(instance: Image, filename: str) -> str:
    return f"images/{PurePath(filename).name}"


class Image(models.Model):
    class Rights(models.TextChoices):
        UNRESTRICTED = "unrestricted", "Free to reuse"
        EDITORIAL = "editorial", "Editorial use only"
        RESTRICTED = "restricted", "Ask before reuse"
        FORBIDDEN = "forbidden", "Do not reuse"

    file = models.ImageField(
        upload_to=image_upload_to, width_field="width", height_field="height", max_length=255
    )
    title = models.CharField(max_length=255, blank=True)
    # A caption is a paragraph or two; the limit keeps one image from weighing on every list,
    # search response and label match (a TextField's max_length is checked, not stored).
    caption = models.TextField(blank=True, max_length=5000)
    credit = models.CharField(max_length=255, blank=True)
    copyright = models.CharField("copyright / usage terms", max_length=255, blank=True)
    rights = models.CharField(max_length=20, choices=Rights.choices, default=Rights.EDITORIAL)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
        help_text="SHA-256 of the file's bytes.",
    )
    original_filename = models.CharField(
        max_length=255, blank=True, help_text="File name as uploaded or ingested."
    )

    class Meta:
        ordering = ["-created", "-pk"]
        # The image list sorts by date, and Photodesk's insights count by day added and rights.
        indexes = [
            models.Index(fields=["created"], name="image_created"),
            models.Index(fields=["rights", "created"], name="image_rights_created"),
        ]

    def __str__(self) -> str:
        return self.title or self.original_filename or f"Image {self.pk}"

    def save(self, *args, **kwargs) -> None:
        # The hash and the original name are facts about the file: keep them in step with it.
        if self.file:
            changed = (
                not self.file._committed
                or not self.content_hash
                or self.file.name != getattr(self, "_hashed_file_name", None)
            )
            if changed:
                self.content_hash = file_sha256(self.file)
                self._hashed_file_name = self.file.name
            if not self.original_filename:
                self.original_filename = PurePath(self.file.name).name
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._hashed_file_name = instance.file.name if "file" in field_names else None
        return instance


def file_sha256(fieldfile) -> str:
    digest = hashlib.sha256()
    fieldfile.open("rb")
    fieldfile.seek(0)
    for chunk in iter(lambda: fieldfile.read(1 << 20), b""):
        digest.update(chunk)
    fieldfile.seek(0)
    return digest.hexdigest()


def video_upload_to(instance: Video, filename: str) -> str:
    return f"videos/{PurePath(filename).name}"


class Video(models.Model):
    """A video of the archive (Photodesk's VIDEO_MODEL in the demo)."""

    file = models.FileField(upload_to=video_upload_to, max_length=255)
    title = models.CharField(max_length=255, blank=True)
    caption = models.TextField(blank=True, max_length=5000)
    credit = models.CharField(max_length=255, blank=True)
    rights = models.CharField(
        max_length=20, choices=Image.Rights.choices, default=Image.Rights.EDITORIAL
    )
    created = models.DateTimeField(auto_now_add=True)
    original_filename = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title or self.original_filename or f"Video {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.original_filename:
            self.original_filename = PurePath(self.file.name).name
        super().save(*args, **kwargs)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    lead_image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="lead_of"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated", "-pk"]

    def __str__(self) -> str:
        return self.title
