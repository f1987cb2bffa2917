"""An image's rows and its file come and go together: a checked upload is stored as a new
image with its pending analysis job, and a deleted image's file goes with its rows."""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from photodesk.host import get_image_model, image_file
from photodesk.models import ImageAnalysis


def store_upload(upload: Any, fields: dict[str, Any], user: Any) -> Any:
    """Save a checked upload (see validation.check_upload) as a new image; the file is removed
    again if the rows cannot be written, so a failure leaves neither a row nor a file behind."""
    checked = upload.checked
    model = get_image_model()
    names = {f.name for f in model._meta.get_fields()}
    image = model(**fields)
    if "uploaded_by" in names:
        image.uploaded_by = user
    if "original_filename" in names:
        image.original_filename = (upload.name or checked.name)[:255]
    field = image_file(image)
    stored = None
    try:
        with transaction.atomic():
            field.save(checked.name, ContentFile(checked.data), save=False)
            stored = field.name
            image.save()
            ImageAnalysis.objects.get_or_create(
                image=image,
                defaults={"status": ImageAnalysis.Status.PENDING, "queued_at": timezone.now()},
            )
    except Exception:
        if stored:
            field.storage.delete(stored)
        raise
    return image


def stored_name(image: Any) -> str:
    """The name the file is stored under, relative to the storage ("images/harbour.jpg")."""
    return image_file(image).name


def name_notes(sent: str, stored: str) -> list[str]:
    """Sentences telling the client why the stored file's name is not the one it sent: folders
    are never taken from a name (Django keeps only its last part, so `../../etc/passwd.jpg`
    is `passwd.jpg`), the extension follows the content, and the storage adds a suffix
    when a file of that name exists."""
    sent_base = PurePosixPath(sent.replace("\\", "/")).name
    stored_base = PurePosixPath(stored).name
    if sent_base == stored_base and sent == sent_base:
        return []
    return [f"The file {sent!r} was stored as {stored_base!r} ({stored})."]


def delete_image(image: Any) -> None:
    """Delete the image and its facts; its file goes only once the rows are gone for good (a
    rolled-back delete keeps a file to show)."""
    field = image_file(image)
    name, storage = field.name, field.storage
    with transaction.atomic():
        image.delete()
        if name:
            transaction.on_commit(partial(storage.delete, name))
