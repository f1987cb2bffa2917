"""A video's frame made an image of the archive: decoded at full size, saved through the host
as a new image (analysed like any other once it commits), linked to its video and time."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from photodesk.analysis.video.decode import frame_at
from photodesk.analysis.video.timeline import clock
from photodesk.host import host
from photodesk.models import VideoStill

# A still is a photo people pick for an article: high quality.
JPEG_QUALITY = 92


def make_still(video: Any, seconds: float) -> Any:
    """The new image showing `video` at `seconds` (InvalidVideo if it cannot be decoded)."""
    site = host()
    with site.video_file(video).open("rb") as fh:
        picture = frame_at(fh, seconds)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
    stem = PurePath(site.video_file_name(video)).stem or f"video-{video.pk}"
    at = clock(seconds).replace(":", "-")
    with transaction.atomic():
        image = site.new_image(f"{stem}-{at}.jpg", ContentFile(buffer.getvalue()))
        names = {f.name for f in image._meta.get_fields()}
        copied = {
            "title": f"{site.video_title(video)} at {clock(seconds)}",
            "caption": site.image_caption(video),
            "credit": site.image_credit(video),
            "rights": site.image_rights(video),
        }
        for role, value in copied.items():
            field = site.image_field_name(role)
            if field in names and value:
                setattr(image, field, value)
        image.save()
        VideoStill.objects.create(image=image, video_id=video.pk, time=round(seconds, 3))
    return image
