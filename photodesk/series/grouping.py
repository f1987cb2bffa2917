"""Series found as photos arrive: a photo joins the series of any earlier photo taken within
seconds by the same camera (EXIF) whose visual vector is close, or, without a capture time,
of a recently arrived photo without one whose vector is closer still (settings SERIES_*).

Two series that a new frame bridges become one. Each change rescores the series' frames
(scoring.py) and picks its best frame, unless an editor chose it.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import suppress
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max, Min

from photodesk.analysis.decode import InvalidImage, decode, read_bytes
from photodesk.conf import photodesk_settings
from photodesk.host import get_image_model, image_file_name
from photodesk.inference.base import ModelFileMissing
from photodesk.inference.eyes import EyeOpenness
from photodesk.inference.registry import get_model
from photodesk.models import Face, ImageAnalysis, Series, SeriesMember
from photodesk.series import scoring

logger = logging.getLogger(__name__)

EXIF_DATE = "%Y:%m:%d %H:%M:%S"


def capture(metadata: dict) -> tuple[dt.datetime | None, str]:
    """(capture time, camera) from the stored photo metadata. Camera clocks know no time zone:
    the time is kept as the camera wrote it (labelled UTC), which is what comparing frames of
    one camera needs."""
    taken = None
    raw = str(metadata.get("date_taken") or "")[:19]
    with suppress(ValueError):
        taken = dt.datetime.strptime(raw, EXIF_DATE).replace(tzinfo=dt.UTC)
    make = str(metadata.get("camera_make") or "").strip()
    model = str(metadata.get("camera_model") or "").strip()
    camera = model if make and model.lower().startswith(make.lower()) else f"{make} {model}"
    return taken, camera.strip()[:200]


def _unit(raw: Any) -> np.ndarray | None:
    if raw is None:
        return None
    v = np.frombuffer(bytes(raw), dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else None


def candidates(member: SeriesMember) -> list[int]:
    """Image ids that could be frames of the same series as `member`."""
    others = SeriesMember.objects.exclude(pk=member.pk)
    if member.taken_at is not None:
        window = dt.timedelta(seconds=photodesk_settings.SERIES_WINDOW_SECONDS)
        others = others.filter(
            taken_at__gte=member.taken_at - window,
            taken_at__lte=member.taken_at + window,
            camera=member.camera,
        )
    else:
        others = others.filter(taken_at=None).order_by("-created")[
            : photodesk_settings.SERIES_UNTIMED_CANDIDATES
        ]
    return list(others.values_list("image_id", flat=True))


def place(image_id: int) -> Series | None:
    """Put an analysed photo into its series (or none); returns the series."""
    analysis = ImageAnalysis.objects.filter(image_id=image_id).done().first()
    if analysis is None:
        return None
    vector = _unit(analysis.visual_embedding)
    if vector is None:
        return None
    taken, camera = capture(analysis.photo_metadata or {})
    # Placed after each analysis that changed something: measures of an older file are stale.
    member, _ = SeriesMember.objects.update_or_create(
        image_id=image_id, defaults={"taken_at": taken, "camera": camera, "measures": {}}
    )
    threshold = (
        photodesk_settings.SERIES_SIMILARITY_TIMED
        if taken is not None
        else photodesk_settings.SERIES_SIMILARITY
    )
    matches: dict[int, float] = {}
    rows = ImageAnalysis.objects.filter(image_id__in=candidates(member)).exclude(
        visual_embedding=None
    )
    for other_id, raw in rows.values_list("image_id", "visual_embedding"):
        other = _unit(raw)
        if other is not None and other.shape == vector.shape:
            similarity = float(other @ vector)
            if similarity >= threshold:
                matches[other_id] = similarity
    if not matches:
        if member.series_id is not None:  # a new file no longer like its frames: it leaves
            old = member.series
            member.series, member.similarity = None, None
            member.save(update_fields=["series", "similarity", "updated"])
            rescore(old)
        return None
    with transaction.atomic():
        joined = list(
            SeriesMember.objects.select_for_update().filter(image_id__in=[*matches, image_id])
        )
        existing = sorted({m.series_id for m in joined if m.series_id})
        series = Series.objects.get(pk=existing[0]) if existing else Series.objects.create()
        if len(existing) > 1:
            SeriesMember.objects.filter(series_id__in=existing[1:]).update(series=series)
            Series.objects.filter(pk__in=existing[1:]).delete()
        for m in joined:
            m.series = series
            m.similarity = round(matches.get(m.image_id, max(matches.values())), 4)
            m.save(update_fields=["series", "similarity", "updated"])
        rescore(series)
    return series


def eye_model() -> EyeOpenness | None:
    """The face mesh, or None (logged) when its file is missing: eyes are then not scored."""
    model = get_model(EyeOpenness, photodesk_settings.eyes_model_dir, 1)
    try:
        model.ensure_loaded()
    except ModelFileMissing as exc:
        logger.warning("Series scoring without eyes: %s", exc)
        return None
    return model


def measure_member(member: SeriesMember, eyes: EyeOpenness | None) -> dict:
    image = get_image_model().objects.get(pk=member.image_id)
    try:
        photo = decode(read_bytes(image), image_file_name(image))
    except InvalidImage as exc:
        return {"error": str(exc)}
    faces = [
        scoring.FaceFacts(f.box, f.expression, f.expression_confidence)
        for f in Face.objects.filter(image_id=member.image_id)
    ]
    measures = scoring.measure(photo.pixels, faces, eyes)
    measures["eyes_model"] = eyes.name if eyes is not None else ""
    return measures


def rescore(series: Series, remeasure: bool = False) -> Series | None:
    """Measure the frames not measured yet, score every frame within the series, pick the best.
    A series left with one frame is dissolved (None)."""
    members = list(series.members.all())
    if len(members) < 2:
        SeriesMember.objects.filter(series=series).update(series=None, similarity=None)
        series.delete()
        return None
    eyes = eye_model()
    for m in members:
        if remeasure or not m.measures or "error" in m.measures:
            m.measures = measure_member(m, eyes)
    frame_parts = scoring.parts([m.measures for m in members])
    weights = photodesk_settings.SERIES_WEIGHTS
    for m, p in zip(members, frame_parts, strict=True):
        for name, value in p.items():
            setattr(m, name, value)
        m.score = scoring.score(p, weights)
        m.save(update_fields=[*scoring.PARTS, "score", "measures", "updated"])
    ids = {m.image_id for m in members}
    if not (series.best_chosen and series.best_id in ids):
        series.best_id = max(members, key=lambda m: (m.score or 0.0, -m.image_id)).image_id
        series.best_chosen = False
    span = series.members.aggregate(start=Min("taken_at"), end=Max("taken_at"))
    series.started, series.ended = span["start"], span["end"]
    series.camera = next((m.camera for m in members if m.camera), "")
    series.size = len(members)
    series.save()
    return series


def choose_best(series: Series, image_id: int) -> Series:
    """An editor's pick: kept through later rescoring. ValueError if not a frame of it."""
    if not series.members.filter(image_id=image_id).exists():
        raise ValueError(f"Image {image_id} is not a frame of series {series.pk}.")
    series.best_id, series.best_chosen = image_id, True
    series.save(update_fields=["best", "best_chosen", "updated"])
    return series
