"""Uploaded files are checked before anything is stored: size, type by content (not by name),
pixel count (decompression bombs), and a full decode (truncated or corrupt files).

The limits and the decoder are the pipeline's (PHOTODESK MAX_FILE_BYTES, MAX_PIXELS,
`analysis.decode`), so an upload the API accepts is one the worker can analyse.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from rest_framework.exceptions import ValidationError

from photodesk.analysis.decode import InvalidImage, decode
from photodesk.conf import photodesk_settings

# Pillow's format name → the extension the stored file gets.
ACCEPTED_FORMATS = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "WEBP": ".webp",
    "TIFF": ".tiff",
    "HEIF": ".heic",
}


@dataclass
class CheckedUpload:
    data: bytes
    format: str
    width: int
    height: int
    # The uploaded name with the extension of what the file really is (a PNG sent as .jpg
    # is stored as .png, so storage and browsers see the right type).
    name: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """The upload's bytes, or a ValidationError a person can act on."""
    from pillow_heif import register_heif_opener

    register_heif_opener()  # idempotent; the host CMS usually did it already
    name = PurePath(upload.name or "upload").name
    limit = photodesk_settings.MAX_FILE_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(_too_big(name, upload.size, limit))
    upload.seek(0)
    data = upload.read()
    if len(data) > limit:  # a client can lie about the size
        raise ValidationError(_too_big(name, len(data), limit))
    try:
        photo = decode(data, name)
    except InvalidImage as exc:
        raise ValidationError(str(exc)) from exc
    fmt = photo.source.format or "unknown"
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError(
            f"{name} is a {fmt} image; accepted are JPEG, PNG, WebP, TIFF and HEIC."
        )
    stem = PurePath(name).stem or "upload"
    return CheckedUpload(
        data=data,
        format=fmt,
        width=photo.source.width,
        height=photo.source.height,
        name=f"{stem}{ACCEPTED_FORMATS[fmt]}",
    )


# Room for the multipart envelope and the other form fields around the file.
ENVELOPE_BYTES = 1024 * 1024


def refuse_oversized_request(meta: dict) -> None:
    """Refuse from the Content-Length header, before Django reads (and spools to disk) a body
    that cannot hold an acceptable file."""
    limit = photodesk_settings.MAX_FILE_BYTES
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length > limit + ENVELOPE_BYTES:
        raise ValidationError({"file": [_too_big("The upload", length, limit)]})


def _too_big(name: str, size: int, limit: int) -> str:
    def readable(n: int) -> str:
        return filesizeformat(n).replace("\xa0", " ")

    return f"{name} is {readable(size)}; files up to {readable(limit)} are accepted."
