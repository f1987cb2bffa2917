"""Analyse one video: stream its frames, find the shots, run each kept frame through the same
analyzers as a still, and store the facts with their times; say what changed.

Nothing is written until every frame was read: a damaged or truncated file, found part-way,
leaves the previous facts (or none) and records only the failure. Frames are decoded one at
a time; only the current segment's best frame and the kept frames waiting for their batch
(VIDEO_BATCH_FRAMES) are held, so memory stays bounded whatever the video's length. A batch
goes through each analyzer at once (Analyzer.analyze_batch): the ONNX classifiers run one
session call for all its frames.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from photodesk.analysis import describe
from photodesk.analysis.analyzers.base import Photo
from photodesk.analysis.pipeline import analyzers
from photodesk.analysis.video.decode import InvalidVideo, check_size, open_video, sampled_frames
from photodesk.analysis.video.shots import Segment, Segmenter
from photodesk.analysis.video.timeline import merge
from photodesk.conf import photodesk_settings
from photodesk.host import host, video_file
from photodesk.models import (
    VideoAnalysis,
    VideoLabelRange,
    VideoPersonSpan,
    VideoShot,
    VideoText,
)
from photodesk.people.recognition import KnownFaces

logger = logging.getLogger(__name__)

VIDEO_PIPELINE_VERSION = "1"
# Analyzers whose facts mean nothing for a frame (EXIF of a decoded frame).
SKIPPED_ANALYZERS = {"metadata"}
THUMBNAIL_SIDE = 320
HASH_CHUNK = 1 << 20


@dataclass
class FrameFacts:
    segment: Segment  # its frame dropped once analysed (image None)
    facts: dict[str, Any]
    people: list[tuple[int, float]] = field(default_factory=list)  # (person id, distance)
    thumbnail: bytes = b""  # the frame as a small JPEG: what is kept until the end


@dataclass
class VideoAnalysed:
    analysis: VideoAnalysis
    changed: bool = False
    unindex: bool = False


def _fail(analysis: VideoAnalysis, message: str) -> VideoAnalysis:
    analysis.status = VideoAnalysis.Status.FAILED
    analysis.error = message
    analysis.finished_at = timezone.now()
    analysis.save(update_fields=["status", "error", "finished_at", "updated"])
    return analysis


def _content_hash(file: Any) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def analyze_video(video: Any, force: bool = False) -> VideoAnalysed:
    """Analyse `video` unless its current file was already analysed by this pipeline.
    Invalid files are recorded as failed (nothing else stored) and returned."""
    analysis, _ = VideoAnalysis.objects.get_or_create(video_id=video.pk)
    file = video_file(video)
    try:
        if not file:
            raise InvalidVideo("The video has no file.")
        try:
            size = file.size
        except OSError as exc:
            raise InvalidVideo(f"The file {file.name!r} is missing from storage.") from exc
        check_size(size)
    except InvalidVideo as exc:
        return VideoAnalysed(_fail(analysis, str(exc)))
    content_hash = _content_hash(file)
    if (
        not force
        and analysis.status == VideoAnalysis.Status.DONE
        and analysis.content_hash == content_hash
        and analysis.pipeline_version == VIDEO_PIPELINE_VERSION
    ):
        return VideoAnalysed(analysis)

    analysis.status = VideoAnalysis.Status.RUNNING
    analysis.attempts += 1
    analysis.started_at = timezone.now()
    analysis.error = ""
    analysis.save(update_fields=["status", "attempts", "started_at", "error", "updated"])
    try:
        with file.open("rb") as fh:
            analysed, info, timings, sampled = _analyse_stream(fh, host().video_file_name(video))
    except InvalidVideo as exc:
        logger.warning("Video %s is not usable: %s", video.pk, exc)
        _clear(analysis)
        return VideoAnalysed(_fail(analysis, str(exc)), unindex=True)
    except Exception as exc:
        logger.exception("Analysis of video %s failed", video.pk)
        _fail(analysis, f"{type(exc).__name__}: {exc}")
        raise

    start = time.perf_counter()
    shots = [_shot(video, number, item) for number, item in enumerate(analysed)]
    timings["embedding"] = round(time.perf_counter() - start, 4)
    analysis.container, analysis.codec = info.container, info.codec
    analysis.duration, analysis.width, analysis.height = info.duration, info.width, info.height
    analysis.fps = info.fps
    analysis.frames_sampled, analysis.frames_analysed = sampled, len(analysed)
    analysis.poster_time = _poster(analysed)
    threshold = photodesk_settings.SAFETY_FLAG_THRESHOLD
    analysis.flagged = any((s.safety_score or 0) >= threshold for s in shots)
    analysis.timings = timings
    analysis.model_versions = {
        a.key: a.model_versions() for a in analyzers() if a.key not in SKIPPED_ANALYZERS
    }
    analysis.content_hash = content_hash
    analysis.pipeline_version = VIDEO_PIPELINE_VERSION
    analysis.status = VideoAnalysis.Status.DONE
    analysis.finished_at = timezone.now()
    analysis.index_pending = True
    with transaction.atomic():
        _clear(analysis)
        analysis.save()
        for shot in shots:
            shot.analysis = analysis
        VideoShot.objects.bulk_create(shots)
        _store_ranges(analysis, analysed)
    logger.info(
        "Analysed video %s: %.1f s, %d shots, %d frames in %.1f s",
        video.pk,
        info.duration,
        len({s.shot for s in shots}),
        len(analysed),
        sum(timings.values()),
    )
    return VideoAnalysed(analysis, changed=True)


def _analyse_stream(fh: Any, name: str) -> tuple[list[FrameFacts], Any, dict, int]:
    conf = photodesk_settings
    timings = {"decode": 0.0, "shots": 0.0, "analyzers": 0.0}
    known = KnownFaces() if photodesk_settings.FACE_RECOGNITION else None
    analysed: list[FrameFacts] = []
    sampled = 0
    with open_video(fh, name) as (container, info):
        segmenter = Segmenter(conf.VIDEO_SHOT_THRESHOLD, conf.VIDEO_FRAME_EVERY_SECONDS)
        frames = sampled_frames(container, info, conf.VIDEO_SAMPLE_FPS)
        batch_size = max(1, int(conf.VIDEO_BATCH_FRAMES))
        pending: list[Segment] = []
        while True:
            start = time.perf_counter()
            frame = next(frames, None)
            timings["decode"] += time.perf_counter() - start
            if frame is None:
                break
            sampled += 1
            start = time.perf_counter()
            done = list(segmenter.push(frame.time, frame.image))
            timings["shots"] += time.perf_counter() - start
            pending.extend(done)
            if len(pending) >= batch_size:
                analysed.extend(_analyse_frames(pending, name, known, timings))
                pending = []
        pending.extend(segmenter.finish(info.duration))
        for first in range(0, len(pending), batch_size):
            batch = pending[first : first + batch_size]
            analysed.extend(_analyse_frames(batch, name, known, timings))
    return analysed, info, {k: round(v, 4) for k, v in timings.items()}, sampled


def _analyse_frames(
    segments: list[Segment], name: str, known: Any, timings: dict
) -> list[FrameFacts]:
    """Each segment's kept frame through every analyzer, a batch per analyzer."""
    start = time.perf_counter()
    photos = [Photo(pixels=s.image, source=s.image, filename=f"{name}@{s.start}") for s in segments]
    facts: list[dict[str, Any]] = [{} for _ in segments]
    for analyzer in analyzers():
        if analyzer.key not in SKIPPED_ANALYZERS:
            began = time.perf_counter()
            for found, new in zip(facts, analyzer.analyze_batch(photos), strict=True):
                found.update(new)
            # Each analyzer's share ("analyzer:labels"), to see where batching pays.
            key = f"analyzer:{analyzer.key}"
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - began
    out = [_frame_facts(s, f, known) for s, f in zip(segments, facts, strict=True)]
    timings["analyzers"] += time.perf_counter() - start
    return out


def _frame_facts(segment: Segment, facts: dict[str, Any], known: Any) -> FrameFacts:
    people = []
    auto = photodesk_settings.FACE_AUTO_DISTANCE
    for face in facts.get("faces") or []:
        vector = face.get("embedding")
        if known is None or vector is None or not face.get("usable", True):
            continue
        match = known.nearest(np.asarray(vector, np.float32))
        if match is not None and match.distance <= auto:
            people.append((match.person.pk, match.distance))
    # The frame itself is kept only as a small JPEG (10-20 kB, not 170 kB of pixels): what
    # is held until the end grows by that per segment, a few MB for hours of video.
    thumbnail = segment.image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    thumbnail.save(buffer, "JPEG", quality=80)
    segment.image = None
    return FrameFacts(segment, facts, people, buffer.getvalue())


def _poster(analysed: list[FrameFacts]) -> float | None:
    """The sharpest frame, a frame showing faces first."""
    if not analysed:
        return None
    best = max(analysed, key=lambda a: (bool(a.facts.get("face_count")), a.segment.sharpness))
    return best.segment.frame_time


def _written(video: Any) -> SimpleNamespace:
    """What people wrote about the video, shaped like an image for describe.py (no pk: the
    video is not an image, and must not take an image's words of use)."""
    site = host()
    return SimpleNamespace(
        pk=None,
        **{
            site.image_field_name("title") or "title": site.video_title(video),
            site.image_field_name("caption") or "caption": site.image_caption(video),
        },
    )


def _shot(video: Any, number: int, item: FrameFacts) -> VideoShot:
    facts, segment = item.facts, item.segment
    facts_view = SimpleNamespace(
        labels=facts.get("labels") or [],
        concepts=facts.get("concepts") or {},
        face_count=facts.get("face_count") or 0,
        ocr_text=facts.get("ocr_text") or "",
        photo_metadata={},
        image_embedding=facts.get("image_embedding"),
        model_versions={},
    )
    written = _written(video)
    shot = VideoShot(
        number=number,
        shot=segment.shot,
        start=segment.start,
        end=segment.end,
        frame_time=segment.frame_time,
        labels=[
            {"name": d["name"], "confidence": d["confidence"], "kind": d.get("kind", "class")}
            for d in facts_view.labels
        ],
        concepts=facts_view.concepts,
        face_count=facts_view.face_count,
        ocr_text=facts_view.ocr_text,
        safety_score=facts.get("safety_score"),
        description=describe.description(written, facts_view),
    )
    shot.vector = describe.image_vector(written, facts_view)
    shot.thumbnail.save(f"{video.pk}-{number}.jpg", ContentFile(item.thumbnail), save=False)
    return shot


def _store_ranges(analysis: VideoAnalysis, analysed: list[FrameFacts]) -> None:
    floor = photodesk_settings.LABEL_REVIEW_THRESHOLD
    labels, people, texts = [], [], []
    for item in analysed:
        seg = item.segment
        for d in item.facts.get("labels") or []:
            if d["confidence"] >= floor:
                extra = {"kind": d.get("kind", "class")}
                labels.append(
                    (d["name"], seg.start, seg.end, d["confidence"], seg.frame_time, extra)
                )
        for person_id, distance in item.people:
            people.append((str(person_id), seg.start, seg.end, -distance, seg.frame_time, {}))
        text = " ".join((item.facts.get("ocr_text") or "").split())
        if text:
            lines = item.facts.get("ocr_lines") or []
            confidence = max((line.get("confidence", 0) for line in lines), default=0.0)
            texts.append((text, seg.start, seg.end, confidence, seg.frame_time, {}))
    VideoLabelRange.objects.bulk_create(
        VideoLabelRange(
            analysis=analysis,
            name=r.key[:200],
            kind=r.extra.get("kind", "class"),
            start=r.start,
            end=r.end,
            confidence=round(r.best, 2),
            best_time=r.best_time,
        )
        for r in merge(labels)
    )
    VideoPersonSpan.objects.bulk_create(
        VideoPersonSpan(
            analysis=analysis,
            person_id=int(r.key),
            start=r.start,
            end=r.end,
            distance=round(-r.best, 4),
        )
        for r in merge(people)
    )
    VideoText.objects.bulk_create(
        VideoText(analysis=analysis, text=r.key, start=r.start, end=r.end, confidence=r.best)
        for r in merge(texts)
    )


def _clear(analysis: VideoAnalysis) -> None:
    """Drop the stored facts (and shot thumbnails) of a previous run."""
    for shot in VideoShot.objects.filter(analysis=analysis):
        if shot.thumbnail:
            shot.thumbnail.delete(save=False)
    VideoShot.objects.filter(analysis=analysis).delete()
    VideoLabelRange.objects.filter(analysis=analysis).delete()
    VideoPersonSpan.objects.filter(analysis=analysis).delete()
    VideoText.objects.filter(analysis=analysis).delete()
