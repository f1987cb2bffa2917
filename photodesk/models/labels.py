"""The newsroom taxonomy and the labels on images, where human decisions always win.

- Label: one concept of the taxonomy (car → vehicle → transport), with synonyms and optional
  thresholds of its own.
- ModelClass: a class a model can output (ImageNet's 1000) and the Label it means, or none:
  unmapped classes stay raw detections on the analysis and never become tags.
- ImageLabel: a label on an image, with its confidence, source and review state.
- LabelDecision: the audit trail of every human decision.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.text import slugify

from photodesk.conf import image_model_label, photodesk_settings


class LabelQuerySet(models.QuerySet):
    def active(self) -> LabelQuerySet:
        return self.filter(active=True)

    def named(self, text: str) -> LabelQuerySet:
        """Labels called `text` by name, slug or synonym (case-insensitive)."""
        text = text.strip()
        matches = [
            label.pk
            for label in self.only("pk", "name", "slug", "synonyms")
            if text.lower() in {t.lower() for t in label.terms()} | {label.slug}
        ]
        return self.filter(pk__in=matches)


class Label(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    synonyms = models.JSONField(
        default=list, blank=True, help_text="Other words for it, matched like the name."
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(
        default=True, help_text="Inactive labels are kept but not applied or searched."
    )
    accept_threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Confidence (0–100) to apply it without review; empty for the site default.",
    )
    review_threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Confidence (0–100) to queue it for review; empty for the site default.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        editable=False,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        self.synonyms = sorted({s.strip() for s in self.synonyms if s and s.strip()})
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The taxonomy's rules, for every way a label is edited (admin, API): a slug made
        from the name when empty and unique, synonyms a list of words, no parent loop,
        thresholds 0–100 with review at most accept. Errors are keyed by field."""
        errors: dict[str, str] = {}
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        if not self.slug:
            errors["name"] = "The name needs a letter or a digit (the slug is made from it)."
        elif Label.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
            errors["slug"] = f"“{self.slug}” is already another label's slug."
        if not isinstance(self.synonyms, list) or not all(
            isinstance(s, str) for s in self.synonyms
        ):
            errors["synonyms"] = "A list of words."
        if (
            self.parent is not None
            and self.pk is not None
            and (self.parent.pk == self.pk or self in self.parent.ancestors())
        ):
            errors["parent"] = "That would make a loop."
        for field in ("accept_threshold", "review_threshold"):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= 100:
                errors[field] = "A confidence from 0 to 100."
        accept, review = self.accept_threshold, self.review_threshold
        if (
            "review_threshold" not in errors
            and accept is not None
            and review is not None
            and review > accept
        ):
            errors["review_threshold"] = "The review threshold must not exceed the accept one."
        if errors:
            raise ValidationError(errors)

    def terms(self) -> list[str]:
        return [self.name, *self.synonyms]

    def ancestors(self) -> list[Label]:
        out, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            out.append(node)
            seen.add(node.pk)
            node = node.parent
        return out

    def thresholds(self) -> tuple[float, float]:
        """(accept, review) for this label: its own, or the site's."""
        accept = self.accept_threshold
        review = self.review_threshold
        return (
            photodesk_settings.LABEL_ACCEPT_THRESHOLD if accept is None else accept,
            photodesk_settings.LABEL_REVIEW_THRESHOLD if review is None else review,
        )


class ModelClass(models.Model):
    model = models.CharField(max_length=50, help_text="e.g. imagenet-1k")
    index = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    label = models.ForeignKey(
        Label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="model_classes",
        help_text="Empty: the class is kept as a raw detection only.",
    )

    class Meta:
        ordering = ["model", "index"]
        constraints = [
            models.UniqueConstraint(fields=["model", "index"], name="unique_model_class")
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.index} {self.name} → {self.label or '(raw detection)'}"


class ImageLabelQuerySet(models.QuerySet):
    def visible(self) -> ImageLabelQuerySet:
        """What search, suggestions and users see as the image's tags."""
        return self.filter(
            state__in=[ImageLabel.State.AUTO, ImageLabel.State.ACCEPTED], label__active=True
        )

    def pending(self) -> ImageLabelQuerySet:
        return self.filter(state=ImageLabel.State.REVIEW, label__active=True)

    def human(self) -> ImageLabelQuerySet:
        """Rows a person decided or added: a model never changes them."""
        return self.filter(
            Q(state__in=[ImageLabel.State.ACCEPTED, ImageLabel.State.REJECTED])
            | Q(source__startswith=ImageLabel.PERSON_SOURCE)
        )

    def with_label(self, name: str, min_confidence: float | None = None) -> ImageLabelQuerySet:
        qs = self.filter(label__in=Label.objects.named(name))
        if min_confidence is not None:
            qs = qs.filter(confidence__gte=min_confidence)
        return qs

    def counts(self) -> list[dict]:
        """Label name → number of images it is visible on, largest first."""
        return list(
            self.visible()
            .values("label__name")
            .annotate(images=Count("image", distinct=True))
            .order_by("-images", "label__name")
        )


class ImageLabel(models.Model):
    class State(models.TextChoices):
        AUTO = "auto", "Auto-accepted"
        REVIEW = "review", "Needs review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    PERSON_SOURCE = "person:"
    IPTC_SOURCE = "iptc"

    image = models.ForeignKey(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_labels"
    )
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="image_labels")
    confidence = models.FloatField(help_text="0–100")
    source = models.CharField(
        max_length=120, help_text="Model name@version, iptc, text:<field>, or person:<username>."
    )
    state = models.CharField(max_length=10, choices=State.choices, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    box = models.JSONField(
        null=True, blank=True, help_text="[x, y, w, h] when the source gives one."
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ImageLabelQuerySet.as_manager()

    class Meta:
        ordering = ["-confidence"]
        constraints = [
            models.UniqueConstraint(fields=["image", "label"], name="unique_image_label")
        ]
        # The insights charts count images per label and state: the index answers them alone.
        indexes = [models.Index(fields=["state", "label", "image"], name="imagelabel_state_label")]

    def __str__(self) -> str:
        return f"{self.label} on image {self.image_id} ({self.confidence:.0f}%, {self.state})"

    @property
    def is_human(self) -> bool:
        return self.state in (self.State.ACCEPTED, self.State.REJECTED) or self.source.startswith(
            self.PERSON_SOURCE
        )


class LabelDecision(models.Model):
    """Who decided what about which label on which image, and when (never edited)."""

    image_label = models.ForeignKey(
        ImageLabel, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    image_id_snapshot = models.BigIntegerField("image id")
    label_name = models.CharField(max_length=100)
    action = models.CharField(max_length=20)  # accept, reject, add, merge
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} “{self.label_name}” on image {self.image_id_snapshot}"


class ReviewItem(ImageLabel):
    """The review queue: image labels waiting for a person (an admin view of ImageLabel)."""

    class Meta:
        proxy = True
        verbose_name = "label to review"
        verbose_name_plural = "label review queue"
