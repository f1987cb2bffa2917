"""Each image's focal region: the rectangle every crop keeps (photodesk.crops).

Found automatically from faces, text and saliency when the image is analysed; a person can
move it in the admin or through the API, and then analysis leaves it alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from photodesk.conf import image_model_label


class FocalRegion(models.Model):
    class Source(models.TextChoices):
        AUTO = "auto", "Found automatically"
        EDITED = "edited", "Set by a person"

    image = models.OneToOneField(
        image_model_label(), on_delete=models.CASCADE, related_name="photodesk_focal_region"
    )
    # In pixels of the upright image (EXIF orientation applied), like face boxes.
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    image_width = models.PositiveIntegerField(help_text="The upright image's size the box is in.")
    image_height = models.PositiveIntegerField()
    basis = models.CharField(
        max_length=10, blank=True, help_text="Found from: faces, text, saliency, centre."
    )
    source = models.CharField(
        max_length=10, choices=Source.choices, default=Source.AUTO, db_index=True
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "focal region"

    def __str__(self) -> str:
        return f"Focal region of image {self.image_id} ({self.source})"

    @property
    def box(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]

    @property
    def is_human(self) -> bool:
        return self.source == self.Source.EDITED
