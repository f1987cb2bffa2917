"""Watching the archive: saved searches, alert rules with what they matched and sent, and
scheduled reports with the files they produced (logic in photodesk/alerts/)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class SavedSearch(models.Model):
    """A query plus the index's filters, owned by a user; run it, watch it, report it."""

    # What a person sets: the admin's form and the API's serializer both edit these.
    EDITABLE_FIELDS = (
        "name",
        "query",
        "rights",
        "orientation",
        "created_after",
        "created_before",
        "labels",
        "people",
        "flagged",
        "limit",
        "min_similarity",
    )

    class Flagged(models.TextChoices):
        ANY = "any", "Flagged or not"
        EXCLUDE = "exclude", "Leave out flagged images"

    class Orientation(models.TextChoices):
        ANY = "", "Any"
        LANDSCAPE = "landscape", "Landscape"
        PORTRAIT = "portrait", "Portrait"
        SQUARE = "square", "Square"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photodesk_searches"
    )
    name = models.CharField(max_length=200)
    query = models.CharField(max_length=500, help_text="What to find, in plain words.")
    rights = models.JSONField(
        default=list, blank=True, help_text="Only images with one of these rights (empty: any)."
    )
    orientation = models.CharField(
        max_length=10, choices=Orientation.choices, default="", blank=True
    )
    created_after = models.DateTimeField(null=True, blank=True)
    created_before = models.DateTimeField(null=True, blank=True)
    labels = models.JSONField(
        default=list, blank=True, help_text="Only images tagged with all of these labels."
    )
    people = models.ManyToManyField(
        "semantic_search.Person", blank=True, help_text="Only images showing all of these people."
    )
    flagged = models.CharField(max_length=10, choices=Flagged.choices, default=Flagged.EXCLUDE)
    limit = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text="At most this many results (1–500).",
    )
    min_similarity = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Only results at least this similar to the query (0–1; empty: any).",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "saved search"
        verbose_name_plural = "saved searches"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AlertRule(models.Model):
    """When to tell someone, and how. Event rules are checked as each analysis finishes;
    count rules (and saved searches) by the schedule photodesk-alert-rules."""

    # What a person sets: the admin's form and the API's serializer both edit these.
    EDITABLE_FIELDS = (
        "name",
        "kind",
        "active",
        "label",
        "min_confidence",
        "person",
        "saved_search",
        "threshold",
        "window_minutes",
        "emails",
        "webhook_url",
        "webhook_format",
        "min_interval_minutes",
    )

    class Kind(models.TextChoices):
        LABEL = "label", "A label at or above a confidence"
        SAVED_SEARCH = "saved_search", "A saved search gains new results"
        PERSON = "person", "A named person appears"
        LABEL_COUNT = "label_count", "N images with a label within a time window"
        FLAGGED = "flagged", "An image is flagged unsafe"
        FAILURES = "failures", "Analysis failures above N per hour"

    EVENT_KINDS = (Kind.LABEL, Kind.PERSON, Kind.FLAGGED)

    class WebhookFormat(models.TextChoices):
        JSON = "json", "JSON"
        SLACK = "slack", "Slack-compatible"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    active = models.BooleanField(default=True)
    label = models.CharField(max_length=100, blank=True, help_text="Label name (label rules).")
    min_confidence = models.FloatField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0–100 (label rules).",
    )
    person = models.ForeignKey(
        "semantic_search.Person", null=True, blank=True, on_delete=models.CASCADE
    )
    saved_search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    threshold = models.PositiveIntegerField(
        default=1, help_text="N: images (label count) or failures in the last hour."
    )
    window_minutes = models.PositiveIntegerField(default=60, help_text="Label count window.")
    emails = models.TextField(blank=True, help_text="Recipients, one per line or comma-separated.")
    webhook_url = models.URLField(blank=True, max_length=500)
    webhook_format = models.CharField(
        max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.JSON
    )
    min_interval_minutes = models.PositiveIntegerField(
        default=15,
        help_text="At most one message per this many minutes: what happens in between is "
        "sent as one digest.",
    )
    # The rule that stands for the SAFETY_NOTIFY_EMAILS / SAFETY_WEBHOOK_URL settings: its
    # channels are read from the settings each time it sends.
    from_settings = models.BooleanField(default=False, editable=False)
    checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "alert rule"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # What each kind needs besides a channel.
    NEEDS = {
        Kind.LABEL: ("label",),
        Kind.LABEL_COUNT: ("label",),
        Kind.PERSON: ("person",),
        Kind.SAVED_SEARCH: ("saved_search",),
    }

    def clean(self) -> None:
        errors = {}
        for name in self.NEEDS.get(self.kind, ()):
            if not getattr(self, name if name == "label" else f"{name}_id"):
                errors[name] = f"A rule of this kind needs a {name.replace('_', ' ')}."
        if not self.from_settings and not (self.emails.strip() or self.webhook_url):
            errors["emails"] = "Give at least one recipient or a webhook URL."
        if errors:
            raise ValidationError(errors)


class AlertDelivery(models.Model):
    """One message sent (or tried) on one channel: an alert, a digest or a test."""

    rule = models.ForeignKey(
        AlertRule, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    rule_name = models.CharField(max_length=200)
    channel = models.CharField(max_length=10)  # "email" or "webhook"
    target = models.TextField(help_text="Recipients or URL.")
    subject = models.CharField(max_length=300)
    event_count = models.PositiveIntegerField(default=0)
    test = models.BooleanField(default=False)
    ok = models.BooleanField(default=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "alert sent"
        verbose_name_plural = "alerts sent"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.channel})"


class AlertEvent(models.Model):
    """Something a rule matched, once per rule and key (de-duplication), waiting to be sent
    (sent_at empty) or sent in a digest."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=100, help_text="image:<id> or window:<start>.")
    image_id = models.BigIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True, help_text="The webhook's event fields.")
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="photodesk_alert_event_once")
        ]
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.text


class Report(models.Model):
    """A saved search (and the archive's counts) rendered on a schedule and e-mailed."""

    class Frequency(models.TextChoices):
        HOURLY = "H", "Hourly"
        DAILY = "D", "Daily"
        WEEKLY = "W", "Weekly"
        MONTHLY = "M", "Monthly"

    FORMATS = ("pdf", "xlsx", "csv")

    name = models.CharField(max_length=200)
    saved_search = models.ForeignKey(
        SavedSearch, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    include_counts = models.BooleanField(
        default=True, help_text="Add the archive's label and analysis-state counts."
    )
    formats = models.JSONField(default=list, help_text='Any of "pdf", "xlsx", "csv".')
    frequency = models.CharField(max_length=1, choices=Frequency.choices, default="W")
    recipients = models.TextField(blank=True, help_text="One per line or comma-separated.")
    active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        wrong = [f for f in self.formats or [] if f not in self.FORMATS]
        if wrong or not self.formats:
            raise ValidationError({"formats": f"One or more of {', '.join(self.FORMATS)}."})
        if not (self.saved_search_id or self.include_counts):
            raise ValidationError("A report needs a saved search or the archive's counts.")


class ReportFile(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=5)
    file = models.FileField(upload_to="reports/%Y/%m/")
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.file.name
