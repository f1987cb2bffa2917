"""Faces found in images, the people they show, and the clusters that group unnamed faces.

- Person: someone the newsroom names (a public figure or staff), with aliases.
- Face: one face in one image: box, detection confidence, 128-d embedding (absent when face
  recognition is switched off), expression, quality, a crop for the admin, and who it shows.
- FaceCluster: unnamed faces a background task grouped as probably the same person.
- FaceDecision: who named, confirmed or rejected which face (never edited).

Like labels, human decisions win: a face a reviewer assigned or confirmed is never reassigned by
clustering or recognition, and a person a reviewer rejected for a face is never proposed again.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q

from photodesk.conf import image_model_label
from photodesk.models.vectors import Float32Vector


def fold(text: str) -> str:
    """Lower case without accents: "Zoë Ångström" → "zoe angstrom" (name matching)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


class PersonQuerySet(models.QuerySet):
    def named(self, name: str) -> PersonQuerySet:
        """People whose name or an alias is `name`, ignoring case and accents."""
        key = fold(name)
        if not key:
            return self.none()
        return self.filter(search_names__contains=f"|{key}|")


class Person(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", "Public figure"
        STAFF = "staff", "Staff"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names and spellings, e.g. a maiden name."
    )
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    external_ids = models.JSONField(
        default=dict,
        blank=True,
        help_text='Ids in outside systems, e.g. {"rekognition": "1SK7cR8M", "urls": [...]}.',
    )
    # "|name|alias|…|", folded: lets the database answer name/alias queries with one lookup.
    search_names = models.TextField(editable=False, db_index=False, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_names = "|" + "|".join(fold(n) for n in self.all_names()) + "|"
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_names"}
        super().save(*args, **kwargs)

    def all_names(self) -> list[str]:
        return [self.name, *[a for a in self.aliases if a]]


class FaceCluster(models.Model):
    """Unnamed faces grouped as probably one person; naming it assigns them all."""

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return f"Face cluster {self.pk}"


class FaceQuerySet(models.QuerySet):
    def usable(self) -> FaceQuerySet:
        """Faces good enough to drive people search and clustering."""
        return self.filter(usable=True).exclude(embedding=None)

    def showing(self) -> FaceQuerySet:
        """Faces whose person is decided: confirmed by a person or assigned automatically."""
        return self.filter(person__isnull=False, state__in=Face.SHOWING_STATES)

    def unnamed(self) -> FaceQuerySet:
        return self.filter(Q(person__isnull=True) | Q(state=Face.State.REVIEW))


class Face(models.Model):
    class State(models.TextChoices):
        UNKNOWN = "unknown", "Unnamed"
        AUTO = "auto", "Recognised automatically"
        REVIEW = "review", "Needs review"
        CONFIRMED = "confirmed", "Confirmed by a person"

    # The states in which a face shows its person (people search, index names, counts).
    SHOWING_STATES = (State.AUTO, State.CONFIRMED)

    image = models.ForeignKey(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_faces"
    )
    box = models.JSONField(help_text="[x, y, w, h] in the original image's pixels.")
    detection_confidence = models.FloatField(help_text="0–1")
    embedding = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="128 float32 (dlib ResNet); empty when face recognition is off.",
    )
    embedding_model = models.CharField(max_length=100, blank=True)
    expression = models.CharField(max_length=20, blank=True)
    expression_confidence = models.FloatField(null=True, blank=True, help_text="0–1")
    quality = models.FloatField(default=0.0, help_text="0–1 from size and sharpness.")
    usable = models.BooleanField(
        default=True, help_text="Big and sharp enough to drive people search and clustering."
    )
    thumbnail = models.ImageField(upload_to="photodesk/faces/", blank=True)
    source = models.CharField(max_length=120, blank=True, help_text="Detector name@version.")

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="faces"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.UNKNOWN, db_index=True
    )
    distance = models.FloatField(
        null=True, blank=True, help_text="Embedding distance to the person's faces (auto/review)."
    )
    rejected_people = models.ManyToManyField(
        Person, blank=True, related_name="rejected_faces", help_text="Never propose these again."
    )
    cluster = models.ForeignKey(
        FaceCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="faces"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = FaceQuerySet.as_manager()
    vector = Float32Vector("embedding")

    class Meta:
        ordering = ["image_id", "pk"]
        indexes = [models.Index(fields=["person", "state"])]

    def __str__(self) -> str:
        who = self.person.name if self.person_id else "unnamed"
        return f"Face {self.pk} in image {self.image_id} ({who})"

    @property
    def is_human(self) -> bool:
        """A person decided this face: machines leave it alone."""
        return self.state == self.State.CONFIRMED


class FaceDecision(models.Model):
    """An audit row: who named, confirmed, rejected or removed which face, and when."""

    face = models.ForeignKey(Face, null=True, on_delete=models.SET_NULL, related_name="decisions")
    image_id_snapshot = models.BigIntegerField("image id")
    person_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20)  # name, confirm, reject, remove, merge, erase
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.person_name!r} on image {self.image_id_snapshot}"
