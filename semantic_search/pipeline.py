"""Analyse one image: decode once, run every analyzer, persist the facts, update the index.

The database row is written in one transaction at the end, so a failure part-way leaves the
previous facts intact; the image itself is never modified.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from PIL import Image, ImageOps, UnidentifiedImageError

from . import describe, labeling, notifications
from .analyzers.base import Analyzer, AnalyzerError, Photo
from .conf import photodesk_settings
from .documents import build_document, image_file_name
from .faces import face_summary, store_faces
from .images import image_file
from .index import get_index
from .models import ImageAnalysis

logger = logging.getLogger(__name__)

# Bump when the pipeline's logic changes in a way that needs every image re-analysed.
PIPELINE_VERSION = "3"  # 3: faces stored as Face rows (embeddings, people)


class InvalidImage(ValueError):
    """The file cannot be analysed (corrupt, not an image, too large). Retrying won't help."""


@cache
def _analyzers(paths: tuple[str, ...]) -> list[Analyzer]:
    return [import_string(path)() for path in paths]


def analyzers() -> list[Analyzer]:
    return _analyzers(tuple(photodesk_settings.ANALYZERS))


def read_bytes(image: Any) -> bytes:
    field = image_file(image)
    if not field:
        raise InvalidImage("The image has no file.")
    try:
        size = field.size
    except (FileNotFoundError, OSError) as exc:
        raise InvalidImage(f"The file {field.name!r} is missing from storage.") from exc
    limit = photodesk_settings.MAX_FILE_BYTES
    if size > limit:
        raise InvalidImage(f"The file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB.")
    with field.open("rb") as fh:
        return fh.read()


def decode(data: bytes, filename: str = "") -> Photo:
    """Bytes → Photo, with a clear error for anything that is not a usable image."""
    if not data:
        raise InvalidImage("The file is empty.")
    Image.MAX_IMAGE_PIXELS = photodesk_settings.MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        source = Image.open(io.BytesIO(data))
        if source.width * source.height > photodesk_settings.MAX_PIXELS:
            raise InvalidImage(
                f"The image is {source.width}x{source.height} pixels; the limit is "
                f"{photodesk_settings.MAX_PIXELS / 1e6:.0f} megapixels."
            )
        pixels = ImageOps.exif_transpose(source).convert("RGB")
    except UnidentifiedImageError as exc:
        raise InvalidImage(
            f"{filename or 'The file'} is not an image in a supported format "
            "(JPEG, PNG, WebP, TIFF, HEIC)."
        ) from exc
    except Image.DecompressionBombError as exc:
        raise InvalidImage(f"The image has too many pixels to analyse safely: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, InvalidImage):
            raise
        raise InvalidImage(f"The image file is damaged or truncated ({exc}).") from exc
    return Photo(pixels=pixels, source=source, filename=filename)


def is_current(analysis: ImageAnalysis, content_hash: str) -> bool:
    return (
        analysis.status == ImageAnalysis.Status.DONE
        and analysis.content_hash == content_hash
        and analysis.pipeline_version == PIPELINE_VERSION
        and analysis.embedding_model == describe.embedding_model_name()
    )


def _fail(analysis: ImageAnalysis, message: str) -> ImageAnalysis:
    analysis.status = ImageAnalysis.Status.FAILED
    analysis.error = message
    analysis.finished_at = timezone.now()
    analysis.save(update_fields=["status", "error", "finished_at", "updated"])
    return analysis


def analyze(image: Any, force: bool = False) -> ImageAnalysis:
    """Analyse `image` unless its current file was already analysed by this pipeline.

    Raises only for unexpected (possibly transient) errors, after recording them; invalid
    files are recorded as failed and returned.
    """
    analysis, _ = ImageAnalysis.objects.get_or_create(image=image)
    try:
        data = read_bytes(image)
    except InvalidImage as exc:
        return _fail(analysis, str(exc))
    content_hash = hashlib.sha256(data).hexdigest()
    if not force and is_current(analysis, content_hash):
        return analysis

    analysis.status = ImageAnalysis.Status.RUNNING
    analysis.attempts += 1
    analysis.started_at = timezone.now()
    analysis.error = ""
    analysis.save(update_fields=["status", "attempts", "started_at", "error", "updated"])

    timings: dict[str, float] = {}
    versions: dict[str, dict[str, str]] = {}
    facts: dict[str, Any] = {}
    try:
        start = time.perf_counter()
        photo = decode(data, image_file_name(image))
        # Where the original lives, so a provider can read it there instead of being sent it.
        field = image_file(image)
        photo.extra["stored_as"] = {"storage": field.storage, "name": field.name, "size": len(data)}
        timings["decode"] = round(time.perf_counter() - start, 4)
        for analyzer in analyzers():
            start = time.perf_counter()
            facts.update(analyzer.analyze(photo))
            timings[analyzer.key] = round(time.perf_counter() - start, 4)
            versions[analyzer.key] = analyzer.model_versions()
        # Faces travel whole (embeddings) to store_faces; the analysis keeps a summary.
        faces = facts.get("faces") or []
        if "faces" in facts:
            facts["faces"] = face_summary(faces)
        for name, value in facts.items():
            setattr(analysis, name, value)
        start = time.perf_counter()
        embed(image, analysis)
        timings["embedding"] = round(time.perf_counter() - start, 4)
        versions["embedding"] = {
            describe.embedder().name: describe.embedder().version,
            "recipe": describe.EMBEDDING_VERSION,
        }
    except InvalidImage as exc:
        remove_from_index(image.pk)
        return _fail(analysis, str(exc))
    except AnalyzerError as exc:
        # A provider refused (permissions, an image it does not take): retrying won't help.
        # The image and its previously indexed facts stay; the message says what to fix.
        logger.error("Analysis of image %s failed: %s", image.pk, exc)
        return _fail(analysis, str(exc))
    except Exception as exc:
        logger.exception("Analysis of image %s failed", image.pk)
        # Facts set on the instance above are not saved: only the failure is recorded.
        _fail(analysis, f"{type(exc).__name__}: {exc}")
        raise

    was_flagged = ImageAnalysis.objects.filter(pk=analysis.pk, flagged=True).exists()
    analysis.timings = timings
    analysis.model_versions = versions
    analysis.content_hash = content_hash
    analysis.pipeline_version = PIPELINE_VERSION
    analysis.status = ImageAnalysis.Status.DONE
    analysis.finished_at = timezone.now()
    with transaction.atomic():
        analysis.save()
        fill_empty_fields(image, analysis.photo_metadata)
        labeling.apply_labels(image, analysis)
        store_faces(image, analysis, faces, photo)
    index_image(image, analysis)
    if analysis.flagged and not was_flagged:
        notifications.image_flagged(image, analysis)
    return analysis


def embed(image: Any, analysis: ImageAnalysis) -> None:
    """Description and vector from the stored facts (no image model runs). Classes whose
    label a person rejected on this image are left out of its vector."""
    analysis.description = describe.description(image, analysis)
    analysis.vector = describe.image_vector(
        image, analysis, excluded=labeling.rejected_classes(image)
    )
    analysis.embedding_model = describe.embedding_model_name()


# Embedded metadata fills these fields of the image model when they are empty (and exist).
METADATA_FIELDS = {
    "title": ("headline", "object_name"),
    "caption": ("caption", "description"),
    "credit": ("credit", "byline", "artist"),
    "copyright": ("usage_terms", "copyright"),
}


def fill_empty_fields(image: Any, metadata: dict) -> list[str]:
    """Copy embedded metadata into the image's empty fields; people's edits are never
    overwritten. Returns the fields filled."""
    filled = []
    names = {f.name for f in image._meta.get_fields()}
    for field, keys in METADATA_FIELDS.items():
        if field not in names or getattr(image, field):
            continue
        value = next((metadata[k] for k in keys if metadata.get(k)), "")
        if value:
            max_length = image._meta.get_field(field).max_length
            setattr(image, field, str(value)[:max_length] if max_length else str(value))
            filled.append(field)
    if filled:
        type(image).objects.filter(pk=image.pk).update(
            **{field: getattr(image, field) for field in filled}
        )
    return filled


def refresh(image: Any) -> None:
    """After a person changed the image's tags: new vector (rejections count), re-index."""
    analysis = ImageAnalysis.objects.filter(image=image, status=ImageAnalysis.Status.DONE).first()
    if analysis is None:
        return
    embed(image, analysis)
    analysis.save(update_fields=["description", "embedding", "embedding_model", "updated"])
    index_image(image, analysis)


def index_image(image: Any, analysis: ImageAnalysis, attempt: int = 1) -> bool:
    """Write one image to the index. The DB already has the facts: a failure here (the index
    is down) is logged and retried later by a task, and `manage.py reconcile` repairs any
    drift, so nothing is lost."""
    try:
        get_index().upsert([build_document(image, analysis)])
    except Exception:
        logger.exception("Could not index image %s (attempt %s)", image.pk, attempt)
        _retry_index_later(image.pk, attempt)
        return False
    return True


def remove_from_index(pk: int, attempt: int = 1) -> bool:
    try:
        get_index().delete([pk])
    except Exception:
        logger.exception("Could not remove image %s from the index (attempt %s)", pk, attempt)
        _retry_index_later(pk, attempt)
        return False
    return True


def _retry_index_later(pk: int, attempt: int) -> None:
    from .tasks import schedule_index_sync

    try:
        schedule_index_sync(pk, attempt + 1)
    except Exception:  # the database too? reconcile will still find the drift
        logger.exception("Could not schedule a retry for image %s", pk)
