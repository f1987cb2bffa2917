"""Series as lists of results see them: one frame stands for its series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from photodesk.models import Series, SeriesMember


def series_of(image_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
    """Image id → (its series, the series' best frame), for those in a series."""
    rows = (
        SeriesMember.objects.filter(image_id__in=list(image_ids))
        .exclude(series=None)
        .values_list("image_id", "series_id", "series__best_id")
    )
    return {image_id: (series_id, best_id) for image_id, series_id, best_id in rows}


def frame_scores(image_ids: Sequence[int]) -> dict[int, float]:
    """Image id → its score within its series (frames in a series only)."""
    rows = (
        SeriesMember.objects.filter(image_id__in=list(image_ids))
        .exclude(series=None)
        .values_list("image_id", "score")
    )
    return {image_id: score or 0.0 for image_id, score in rows}


def collapse(ranked_ids: Sequence[int]) -> tuple[list[int], dict[int, list[int]]]:
    """Ranked image ids with one frame per series, where its best-ranked frame was: the
    series' best frame if it is among them, else that best-ranked one. Also: the kept frame →
    the other frames of its series among them, in rank order."""
    membership = series_of(ranked_ids)
    present = set(ranked_ids)
    kept: list[int] = []
    others: dict[int, list[int]] = {}
    shown: dict[int, int] = {}  # series → the frame that stands for it
    for image_id in ranked_ids:
        if image_id not in membership:
            kept.append(image_id)
            continue
        series_id, best_id = membership[image_id]
        if series_id in shown:
            continue
        stand_in = best_id if best_id in present else image_id
        shown[series_id] = stand_in
        kept.append(stand_in)
        others[stand_in] = [
            i for i in ranked_ids if membership.get(i, (None,))[0] == series_id and i != stand_in
        ]
    return kept, others


def series_info(image: Any) -> dict | None:
    """The series of one image with each frame's score parts (None: not in a series)."""
    member = SeriesMember.objects.filter(image_id=image.pk).select_related("series").first()
    if member is None or member.series is None:
        return None
    return series_dict(member.series, current=image.pk)


def series_dict(series: Series, current: int | None = None) -> dict:
    frames = [
        {
            "image_id": m.image_id,
            "best": m.image_id == series.best_id,
            "current": m.image_id == current,
            "score": m.score,
            "parts": m.parts(),
            "similarity": m.similarity,
            "taken_at": m.taken_at.isoformat() if m.taken_at else None,
        }
        for m in series.members.order_by("-score", "image_id")
    ]
    return {
        "id": series.pk,
        "size": series.size,
        "best_id": series.best_id,
        "best_chosen": series.best_chosen,
        "camera": series.camera,
        "started": series.started.isoformat() if series.started else None,
        "ended": series.ended.isoformat() if series.ended else None,
        "frames": frames,
    }
