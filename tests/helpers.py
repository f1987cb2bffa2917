"""Small builders for test images (real files, written to the test MEDIA_ROOT)."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image as PILImage


def jpeg_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_image(data: bytes, name: str = "test.jpg", **fields):
    from cms_images.models import Image

    image = Image(original_filename=name, **fields)
    image.file.save(name, ContentFile(data), save=False)
    image.save()
    return image


def photo_bytes(path: Path) -> bytes:
    return Path(path).read_bytes()


def eventually(probe, timeout: float = 15.0, interval: float = 0.2):
    """probe()'s first truthy value within `timeout` seconds, else its last value.

    For what another process does after it commits: the worker marks an analysis done in the
    database first and writes the search index right after (the index is derived)."""
    import time

    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = probe()
    return value
