"""Copies of one picture found in the archive, waiting for a person to say which to keep.

- ImageFingerprint: an image's perceptual hash (64 bits) and its size in pixels and bytes,
  computed once per file content.
- DuplicateGroup: images that show the same picture; open until someone keeps one, then
  resolved with what was done to the others (deleted, or kept and linked to the kept one).
- DuplicateMember: one image in a group, with how close it is to the group's first image.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from photodesk.conf import image_model_label


class ImageFingerprint(models.Model):
    image = models.OneToOneField(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_fingerprint"
    )
    phash = models.BigIntegerField(help_text="64-bit perceptual hash (DCT), signed.")
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="The analysed content it was computed from."
    )
    # What the review screen compares, read with the hash (the host's model may not store it).
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    file_size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    # Indexed: each worker reads the hashes computed since its last look (duplicates/hashes.py).
    computed = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Fingerprint of image {self.image_id}: {self.phash & (2**64 - 1):016x}"


class DuplicateGroupQuerySet(models.QuerySet):
    def open(self) -> DuplicateGroupQuerySet:
        return self.filter(status=DuplicateGroup.Status.OPEN)

    def shown(self) -> DuplicateGroupQuerySet:
        """Groups worth a look: an open group whose copies were deleted elsewhere, leaving one
        image, has nothing to review."""
        lone = models.Q(status=DuplicateGroup.Status.OPEN, copies__lt=2)
        return self.annotate(copies=models.Count("members")).exclude(lone)


class DuplicateGroup(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Action(models.TextChoices):
        DELETE = "delete", "Delete the others"
        LINK = "link", "Keep the others, linked to the kept one"
        DISTINCT = "distinct", "Not duplicates"

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    kept = models.ForeignKey(
        image_model_label(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The image kept when the group was resolved.",
    )
    action = models.CharField(max_length=10, choices=Action.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DuplicateGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "-pk"]
        verbose_name = "duplicate group"

    def __str__(self) -> str:
        return f"Duplicate group {self.pk} ({self.status})"


class DuplicateMember(models.Model):
    group = models.ForeignKey(DuplicateGroup, on_delete=models.CASCADE, related_name="members")
    # One group per image: a copy found later joins the group its look-alike is in.
    image = models.OneToOneField(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_duplicate"
    )
    similarity = models.FloatField(
        default=1.0, help_text="Visual cosine to the image it was matched with."
    )
    hash_bits = models.PositiveSmallIntegerField(
        default=0, help_text="Perceptual-hash bits differing from the image it was matched with."
    )
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "pk"]

    def __str__(self) -> str:
        return f"Image {self.image_id} in duplicate group {self.group_id}"
