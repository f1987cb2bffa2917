"""What Rekognition is sent, and how its answers map back onto the photo's pixels.

Rekognition takes an image as an S3 object (up to 15 MB, read by the service itself) or as
bytes (up to 5 MB), JPEG or PNG only. A file already in an S3 bucket Rekognition can read is
sent by reference, so its bytes cross the network once; anything else (local storage, an
S3-compatible store on a custom endpoint, other formats, bigger files) is sent as a JPEG of
the decoded, EXIF-oriented pixels, scaled down until it fits.

Boxes come back as ratios of the oriented image (Rekognition applies the EXIF orientation
too), so both paths give pixel boxes on `photo.pixels`, like the local analyzers.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from photodesk.analysis.analyzers.base import Photo
from photodesk.conf import photodesk_settings

MAX_BYTES = 5 * 1024 * 1024
MAX_S3_BYTES = 15 * 1024 * 1024
S3_FORMATS = {"JPEG", "PNG"}
JPEG_QUALITY = 90


def s3_location(storage: Any, name: str) -> tuple[str, str] | None:
    """(bucket, key) of a file on S3 that Rekognition can read itself, else None."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # django-storages not installed: files are never on S3
        return None
    if not isinstance(storage, S3Storage) or not photodesk_settings.AWS_REKOGNITION_S3_OBJECTS:
        return None
    if getattr(storage, "endpoint_url", None):
        return None  # an S3-compatible store (MinIO, R2, a test server): Rekognition can't see it
    region = getattr(storage, "region_name", None)
    if region and photodesk_settings.AWS_REGION and region != photodesk_settings.AWS_REGION:
        return None  # Rekognition reads only buckets in its own region
    return storage.bucket_name, storage._normalize_name(name)


def jpeg_under(pixels: Image.Image, limit: int = MAX_BYTES) -> bytes:
    """JPEG bytes of `pixels`, scaled down (each pass by the square root of the overshoot)
    until they fit under `limit`."""
    image = pixels.convert("RGB")
    while True:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
        data = buffer.getvalue()
        if len(data) <= limit:
            return data
        scale = min(0.9, (limit / len(data)) ** 0.5)
        size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)


def rekognition_image(photo: Photo) -> dict[str, Any]:
    """The `Image` parameter of a Rekognition request for this photo."""
    stored = photo.extra.get("stored_as")
    if stored:
        location = s3_location(stored["storage"], stored["name"])
        fmt = (photo.source.format or "").upper()
        if location and fmt in S3_FORMATS and stored.get("size", 0) <= MAX_S3_BYTES:
            bucket, key = location
            return {"S3Object": {"Bucket": bucket, "Name": key}}
    cached = photo.extra.get("rekognition_bytes")
    if cached is None:  # several analyzers send the same photo: encode it once
        cached = photo.extra["rekognition_bytes"] = jpeg_under(photo.pixels)
    return {"Bytes": cached}


def pixel_box(box: dict[str, float], width: int, height: int) -> list[int]:
    """Rekognition BoundingBox (ratios, may run past the edges) → [x, y, w, h] in pixels."""
    left = max(0.0, float(box.get("Left", 0.0)))
    top = max(0.0, float(box.get("Top", 0.0)))
    right = min(1.0, float(box.get("Left", 0.0)) + float(box.get("Width", 0.0)))
    bottom = min(1.0, float(box.get("Top", 0.0)) + float(box.get("Height", 0.0)))
    x, y = round(left * width), round(top * height)
    return [x, y, max(0, round(right * width) - x), max(0, round(bottom * height) - y)]


def pixel_polygon(points: list[dict[str, float]], width: int, height: int) -> list[list[int]]:
    return [[round(p["X"] * width), round(p["Y"] * height)] for p in points]
