"""Series: frames of one scene taken seconds apart (a burst), and the best frame of each.

Every analysed photo gets a `SeriesMember` row carrying what grouping compares cheaply (when
and with which camera it was taken); `series` is set once a similar frame is found. The parts
of the score are stored one by one, so an editor sees why a frame was picked.
"""

from __future__ import annotations

from django.db import models

from photodesk.conf import image_model_label


class Series(models.Model):
    best = models.ForeignKey(
        image_model_label(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The frame suggestions show for the whole series.",
    )
    # Set when an editor chose the best frame: a new member or a rescoring never overrides it.
    best_chosen = models.BooleanField(default=False)
    camera = models.CharField(max_length=200, blank=True)
    started = models.DateTimeField(null=True, blank=True, help_text="First frame taken at.")
    ended = models.DateTimeField(null=True, blank=True, help_text="Last frame taken at.")
    size = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "series"
        verbose_name_plural = "series"
        ordering = ["-updated"]

    def __str__(self) -> str:
        return f"Series {self.pk} ({self.size} frames)"


class SeriesMemberQuerySet(models.QuerySet):
    def grouped(self) -> SeriesMemberQuerySet:
        return self.exclude(series=None)


class SeriesMember(models.Model):
    image = models.OneToOneField(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_series"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    taken_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="EXIF capture time (naive: camera time)."
    )
    camera = models.CharField(max_length=200, blank=True, db_index=True)
    similarity = models.FloatField(
        null=True, blank=True, help_text="Cosine to the closest frame of its series."
    )
    # Parts of the score, each 0-1 (None: not measurable for this series, e.g. no faces).
    sharpness = models.FloatField(null=True, blank=True)
    exposure = models.FloatField(null=True, blank=True)
    face_size = models.FloatField(null=True, blank=True)
    eyes_open = models.FloatField(null=True, blank=True)
    smile = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="Weighted mean of the parts.")
    measures = models.JSONField(
        default=dict,
        blank=True,
        help_text="Raw measures the parts come from: Laplacian variance, clipped share, "
        "face side, eye aspect ratios, expression.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = SeriesMemberQuerySet.as_manager()

    class Meta:
        ordering = ["series_id", "-score", "image_id"]

    def __str__(self) -> str:
        return f"Image {self.image_id} in series {self.series_id}"

    PARTS = ("sharpness", "exposure", "face_size", "eyes_open", "smile")

    def parts(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in self.PARTS}
