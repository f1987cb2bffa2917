from django.conf import settings
from django.db import models


class MirroredTag(models.Model):
    """A tag Photodesk added to a Wagtail image (WAGTAIL_TAG_LABELS): only these are ever
    removed by Photodesk, so a tag people added stays whatever the reviewers decide."""

    image = models.ForeignKey(
        settings.PHOTODESK_IMAGE_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["image", "name"], name="unique_mirrored_tag")
        ]

    def __str__(self) -> str:
        return f"{self.name} on image {self.image_id}"
