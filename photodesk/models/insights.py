"""The archive map: image vectors projected to 2-D, computed by a task and kept here so the
map page only reads one row. Its model also carries the "view insights" permission that the
dashboard, the map and the insights API ask for."""

from __future__ import annotations

import datetime as dt

from django.db import models


class ArchiveMap(models.Model):
    """One computed map; the newest row is the one shown."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=100, help_text="Projection and its parameters.")
    vector = models.CharField(max_length=40, help_text="Which stored vector was projected.")
    images = models.PositiveIntegerField(default=0, help_text="Images placed on the map.")
    fitted_on = models.PositiveIntegerField(
        default=0, help_text="Images the projection was fitted on."
    )
    seconds = models.FloatField(default=0.0, help_text="How long the computation took.")
    # [[image id, x, y, [top labels]], …]: x and y scaled to 0–100.
    points = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "map of the archive"
        verbose_name_plural = "map of the archive"
        default_permissions = ()
        permissions = [("view_insights", "Can view insights (dashboard, map, insights API)")]

    def __str__(self) -> str:
        return f"Archive map of {self.images} images ({self.created:%Y-%m-%d %H:%M})"

    @classmethod
    def latest(cls) -> ArchiveMap | None:
        return cls.objects.order_by("-created").first()


class InsightsDashboard(ArchiveMap):
    """The dashboard's place in the admin (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = "insights dashboard"
        verbose_name_plural = "insights dashboard"


class LabelRollup(models.Model):
    """Images per label, rights value and day (span 1) or week (span 7, starting on Monday) of
    being added, or ever (span 0, start ALL_TIME), counting visible labels (auto-accepted or
    accepted) whatever the label's `active` (the charts read that from the label). Kept by
    insights/rollup.py as labels and images change, so the label charts add up a few
    thousand rows instead of millions."""

    ALL, DAY, WEEK = 0, 1, 7
    ALL_TIME = dt.date(1, 1, 1)  # the start (and week) of the span-0 rows

    span = models.PositiveSmallIntegerField()
    start = models.DateField()
    # The Monday of `start`'s week: the labels-over-time chart groups by it.
    week = models.DateField()
    rights = models.CharField(max_length=100, blank=True)
    # No database constraint: as a label is deleted, its image rows' deletions still take their
    # counts from here (after the cascade would have removed these); the label's post_delete
    # removes its rows (signal_handlers).
    label = models.ForeignKey(
        "semantic_search.Label", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    images = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["span", "start", "rights", "label"], name="unique_label_rollup"
            )
        ]
        indexes = [models.Index(fields=["label", "span", "start"], name="label_rollup_label")]

    def __str__(self) -> str:
        return (
            f"{self.label_id} on {self.start} (+{self.span - 1} days), {self.rights}: {self.images}"
        )


class IngestRollup(models.Model):
    """Images added per day and rights value (the ingest chart), kept with LabelRollup."""

    day = models.DateField()
    rights = models.CharField(max_length=100, blank=True)
    images = models.IntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["day", "rights"], name="unique_ingest_rollup")
        ]

    def __str__(self) -> str:
        return f"{self.day}, {self.rights}: {self.images}"


class RollupBuild(models.Model):
    """When the rollups were last built from scratch, and in which time zone their days are
    (the charts read them only when it is the current one)."""

    built_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    seconds = models.FloatField(default=0.0)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"Rollups built {self.built_at:%Y-%m-%d %H:%M} ({self.time_zone})"
