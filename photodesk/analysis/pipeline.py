"""Analyse one image: decode once, run every analyzer, persist the facts; say what changed.

The database rows are written in one transaction at the end, so a failure part-way leaves
the previous facts intact; the image itself is never modified. Indexing, notifications and
clustering follow in tasks.py, from the `Analysed` this returns.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from photodesk.analysis import borrowed, describe, embedding
from photodesk.analysis.analyzers.base import Analyzer, AnalyzerError, Facts, checked_facts
from photodesk.analysis.analyzers.clip import embed_photo
from photodesk.analysis.decode import InvalidImage, decode, read_bytes
from photodesk.analysis.liveness import this_worker
from photodesk.conf import photodesk_settings
from photodesk.crops import store as focal_regions
from photodesk.host import fill_empty_fields, image_file, image_file_name
from photodesk.inference.base import set_process_threads
from photodesk.instruments import ANALYSIS_STEP_SECONDS, log_fields
from photodesk.labels import service as labeling
from photodesk.labels.zero_shot import image_embedding_versions, own_image_vector
from photodesk.models import ImageAnalysis
from photodesk.people.recognition import face_summary, store_faces

logger = logging.getLogger(__name__)

# Bump when the pipeline's logic changes in a way that needs every image re-analysed.
PIPELINE_VERSION = "3"  # 3: faces stored as Face rows (embeddings, people)


@dataclass
class Analysed:
    """What one run of the pipeline did, for the task that ran it."""

    analysis: ImageAnalysis
    changed: bool = False  # new facts and vector stored: the index entry must be rewritten
    unindex: bool = False  # the file is no longer usable: its index entry must go
    newly_flagged: bool = False  # flagged unsafe by this run (announce it)
    unnamed_faces: bool = False  # new faces nobody is recognised in (cluster them)


@cache
def _analyzers(paths: tuple[str, ...]) -> list[Analyzer]:
    # Once per process, before any model loads: every library's threads at one setting.
    set_process_threads(photodesk_settings.INFERENCE_THREADS)
    return [import_string(path)() for path in paths]


# Added to ANALYZERS when CLIP_MODEL_DIR is set and no analyzer makes an image embedding.
CLIP_ANALYZER = "photodesk.analysis.analyzers.clip.ClipImageAnalyzer"


def analyzers() -> list[Analyzer]:
    paths = tuple(photodesk_settings.ANALYZERS)
    if photodesk_settings.CLIP_MODEL_DIR and not any(
        getattr(import_string(path), "key", "") == "image_embedding" for path in paths
    ):
        paths = (*paths, CLIP_ANALYZER)
    return _analyzers(paths)


def api_calls_per_image() -> Counter:
    """The paid calls analysing one image makes at most with the configured analyzers and
    embedder (RecognizeCelebrities only runs when faces are found; Bedrock embeds the written
    text, and label names not seen before in the process)."""
    counts: Counter = Counter()
    configured = analyzers()
    for analyzer in configured:
        counts.update(analyzer.api_calls())
    embedder_calls = getattr(embedding.embedder(), "api_calls", dict)()
    if embedder_calls and any(a.key == "labels" and a.api_calls() for a in configured):
        # A provider's label names are embedded too (at most this many; most are cached).
        embedder_calls = {
            api: n + describe.PROVIDER_EVIDENCE_TOP for api, n in embedder_calls.items()
        }
    counts.update(embedder_calls)
    return counts


def is_current(analysis: ImageAnalysis, content_hash: str) -> bool:
    return (
        analysis.status == ImageAnalysis.Status.DONE
        and analysis.content_hash == content_hash
        and analysis.pipeline_version == PIPELINE_VERSION
        and analysis.embedding_model == embedding.embedding_model_name()
    )


def _fail(analysis: ImageAnalysis, message: str) -> ImageAnalysis:
    analysis.status = ImageAnalysis.Status.FAILED
    analysis.error = message
    analysis.finished_at = timezone.now()
    analysis.save(update_fields=["status", "error", "finished_at", "updated"])
    return analysis


def analyze(image: Any, force: bool = False) -> Analysed:
    """Analyse `image` unless its current file was already analysed by this pipeline, and say
    what changed; the caller (tasks.py) indexes, notifies and schedules from that.

    Raises only for unexpected (possibly transient) errors, after recording them; invalid
    files are recorded as failed and returned.
    """
    analysis, _ = ImageAnalysis.objects.get_or_create(image=image)
    try:
        data = read_bytes(image)
    except InvalidImage as exc:
        return Analysed(_fail(analysis, str(exc)))
    content_hash = hashlib.sha256(data).hexdigest()
    if not force and is_current(analysis, content_hash):
        return Analysed(analysis)

    analysis.status = ImageAnalysis.Status.RUNNING
    analysis.attempts += 1
    analysis.started_at = timezone.now()
    analysis.worker = this_worker()
    analysis.error = ""
    analysis.save(update_fields=["status", "attempts", "started_at", "worker", "error", "updated"])

    timings: dict[str, float] = {}
    versions: dict[str, dict[str, str]] = {}
    facts: Facts = {}
    try:
        start = time.perf_counter()
        photo = decode(data, image_file_name(image))
        # Where the original lives, so a provider can read it there instead of being sent it.
        field = image_file(image)
        photo.extra["stored_as"] = {"storage": field.storage, "name": field.name, "size": len(data)}
        timings["decode"] = round(time.perf_counter() - start, 4)
        for analyzer in analyzers():
            start = time.perf_counter()
            # Only fact fields: an analyzer must not set the status, versions or vector.
            facts.update(checked_facts(analyzer, analyzer.analyze(photo)))
            timings[analyzer.key] = round(time.perf_counter() - start, 4)
            versions[analyzer.key] = analyzer.model_versions()
        # Faces travel whole (embeddings) to store_faces; the analysis keeps a summary.
        faces = facts.get("faces") or []
        if "faces" in facts:
            facts["faces"] = face_summary(faces)
        for name, value in facts.items():
            setattr(analysis, name, value)
        analysis.model_versions = versions  # embed() reads which model made image_embedding
        start = time.perf_counter()
        lent = embed(image, analysis).lent
        timings["embedding"] = round(time.perf_counter() - start, 4)
        versions["embedding"] = {
            embedding.embedder().name: embedding.embedder().version,
            "recipe": embedding.EMBEDDING_VERSION,
        }
    except InvalidImage as exc:
        logger.warning(
            "Image %s is not usable: %s", image.pk, exc, extra=log_fields(image_id=image.pk)
        )
        return Analysed(_fail(analysis, str(exc)), unindex=True)
    except AnalyzerError as exc:
        # A provider refused (permissions, an image it does not take): retrying won't help.
        # The image and its previously indexed facts stay; the message says what to fix.
        logger.error(
            "Analysis of image %s failed: %s", image.pk, exc, extra=log_fields(image_id=image.pk)
        )
        return Analysed(_fail(analysis, str(exc)))
    except Exception as exc:
        logger.exception(
            "Analysis of image %s failed", image.pk, extra=log_fields(image_id=image.pk)
        )
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
    analysis.index_pending = True  # committed with the facts; cleared once indexed
    with transaction.atomic():
        analysis.save()
        fill_empty_fields(image, analysis.photo_metadata)
        labeling.apply_labels(image, analysis, joint=embedding.joint_model())
        stored = store_faces(image, analysis, faces, photo)
        # From the faces and text just stored, plus a 64-pixel saliency map: milliseconds.
        focal_regions.update(image, photo.working, photo.size)
        borrowed.record(image, lent)
    for step, seconds in timings.items():
        ANALYSIS_STEP_SECONDS.labels(step).observe(seconds)
    logger.info(
        "Analysed image %s in %.3f s",
        image.pk,
        analysis.total_seconds,
        extra=log_fields(
            image_id=image.pk,
            seconds=analysis.total_seconds,
            timings=timings,
            attempt=analysis.attempts,
            faces=analysis.face_count,
        ),
    )
    return Analysed(
        analysis,
        changed=True,
        newly_flagged=analysis.flagged and not was_flagged,
        unnamed_faces=any(f.person_id is None and f.vector is not None for f in stored),
    )


@dataclass
class Embedded:
    lent: list[borrowed.Lent]  # words similar photos lent it: the caller stores them
    ran_joint_model: bool  # image_embedding and model_versions changed too


def embed(image: Any, analysis: ImageAnalysis) -> Embedded:
    """Description and vector from the stored facts (no image model runs). Classes whose
    label a person rejected on this image are left out of its vector.

    With a joint model whose visual embedding of this image is not stored yet (the archive
    is being switched to it), that one model runs on the image's file first. With a joint
    model the picture speaks for itself: no words are borrowed."""
    joint = embedding.joint_model()
    ran = False
    if joint is not None and own_image_vector(analysis, joint) is None:
        photo = decode(read_bytes(image), image_file_name(image))
        analysis.image_embedding = embed_photo(joint, photo.working)
        analysis.model_versions = {
            **(analysis.model_versions or {}),
            "image_embedding": image_embedding_versions(joint),
        }
        ran = True
    lent = [] if joint is not None else borrowed.lent_words(image, analysis)
    analysis.description = describe.description(image, analysis, lent)
    analysis.vector = describe.image_vector(
        image, analysis, excluded=labeling.rejected_classes(image), lent=lent
    )
    analysis.embedding_model = embedding.embedding_model_name()
    return Embedded(lent, ran)


def refresh(image: Any) -> ImageAnalysis | None:
    """After people changed what they wrote or the image's tags: new description and vector
    (rejections count) from the stored facts. Returns the analysis to re-index, if any."""
    analysis = ImageAnalysis.objects.filter(image=image, status=ImageAnalysis.Status.DONE).first()
    if analysis is None:
        return None
    fields = ["description", "embedding", "embedding_model", "index_pending", "updated"]
    embedded = embed(image, analysis)
    if embedded.ran_joint_model:
        fields += ["image_embedding", "model_versions"]
    analysis.index_pending = True
    with transaction.atomic():
        analysis.save(update_fields=fields)
        borrowed.record(image, embedded.lent)
    return analysis
