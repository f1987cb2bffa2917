"""The archive map: image vectors projected to 2-D, computed by a task and kept here so the
map page only reads one row. Its model also carries the "view insights" permission that the
dashboard, the map and the insights API ask for."""

from __future__ import annotations

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
