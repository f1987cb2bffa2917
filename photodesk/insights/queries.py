"""One function per chart: one database query each, aggregated by the database, returning plain
dicts and lists (JSON as it is), so the admin dashboard, the API and a report render the same
numbers. Every function takes the shared Filters (days added, rights).

What each counts, so the image list a chart links to (admin/insights_filters.py) agrees:
- a label is "on" an image when it is visible (auto-accepted or accepted, label active);
- the review backlog is labels waiting for a person (state "review", label active);
- a person is "shown" in an image when one of its faces is assigned to them (auto or confirmed).

The label and ingest charts read the rollups (insights/rollup.py: counts per day and week
added, kept as rows change) when they can answer the filters, else count the rows live; both
give the same numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import TruncDate, TruncWeek

from photodesk.host import get_image_model, host
from photodesk.insights import rollup
from photodesk.insights.filters import Filters
from photodesk.models import Face, ImageAnalysis, ImageLabel, IngestRollup, LabelRollup

STATES = [value for value, _ in ImageAnalysis.Status.choices]


def analysis_states(filters: Filters) -> dict[str, Any]:
    """Images by analysis state: {"total": n, "states": [{"state", "images"}, …]} in the
    pipeline's order, every state present (0 when none)."""
    rows = (
        ImageAnalysis.objects.filter(filters.q("image__"))
        .values("status")
        .annotate(images=Count("*"))
        .order_by()
    )
    counts = {row["status"]: row["images"] for row in rows}
    states = [{"state": state, "images": counts.get(state, 0)} for state in STATES]
    return {"total": sum(counts.values()), "states": states}


def ingest_per_day(filters: Filters) -> list[dict[str, Any]]:
    """Images added per day, oldest first: [{"day": "2026-11-30", "images": n}]."""
    added = host().image_field_present("added")
    if not added:
        return []
    if rollup.answers(filters):
        rows = (
            IngestRollup.objects.filter(_days_q("day", filters), rollup.rights_q(filters.rights))
            .values("day")
            .annotate(images=Sum("images"))
            .filter(images__gt=0)
            .order_by("day")
        )
        return [{"day": _iso(row["day"]), "images": row["images"]} for row in rows]
    rows = (
        get_image_model()
        .objects.filter(filters.q())
        .annotate(day=TruncDate(added))
        .values("day")
        .annotate(images=Count("*"))
        .order_by("day")
    )
    return [{"day": _iso(row["day"]), "images": row["images"]} for row in rows]


def top_labels(filters: Filters, limit: int = 60) -> list[dict[str, Any]]:
    """The labels on the most images, most first: [{"label_id", "label", "images"}]. The bar
    chart shows the first ones, the tag cloud all."""
    if rollup.answers(filters):
        rows = (
            LabelRollup.objects.filter(_label_rollup_q(filters), label__active=True)
            .values("label_id", label_name=F("label__name"))
            .annotate(images=Sum("images"))
            .filter(images__gt=0)
        )
        return _most_first(rows, limit)
    return _per_label(ImageLabel.objects.visible(), filters, limit)


def _per_label(rows: QuerySet, filters: Filters, limit: int) -> list[dict[str, Any]]:
    """Images per label of the ImageLabel rows `rows` (visible, pending, …) within `filters`,
    most first: [{"label_id", "label", "images"}]."""
    rows = (
        rows.filter(filters.q("image__"))
        .values("label_id", label_name=F("label__name"))
        # (image, label) is unique: counting rows counts images, without a DISTINCT; COUNT(*)
        # lets the (state, label, image) index answer alone.
        .annotate(images=Count("*"))
    )
    return _most_first(rows, limit)


def _most_first(rows: QuerySet, limit: int) -> list[dict[str, Any]]:
    rows = rows.order_by("-images", "label_name")[:limit]
    return [
        {"label_id": r["label_id"], "label": r["label_name"], "images": r["images"]} for r in rows
    ]


def labels_over_time(filters: Filters, label_ids: list[int]) -> dict[str, Any]:
    """Images per week (of the day they were added) for each of `label_ids`:
    {"weeks": ["2026-11-23", …], "series": [{"label_id", "label", "images": [n per week]}]}.
    Weeks start on Monday; a week no chosen label has is left out."""
    added = host().image_field_present("added")
    if not added or not label_ids:
        return {"weeks": [], "series": []}
    if rollup.answers(filters):
        rows = (
            LabelRollup.objects.filter(
                _label_rollup_q(filters, by_week=True), label_id__in=label_ids, label__active=True
            )
            .values("week", "label_id", label_name=F("label__name"))
            .annotate(images=Sum("images"))
            .filter(images__gt=0)
            .order_by("week")
        )
    else:
        rows = (
            ImageLabel.objects.visible()
            .filter(filters.q("image__"), label_id__in=label_ids)
            .annotate(week=TruncWeek(f"image__{added}"))
            .values("week", "label_id", label_name=F("label__name"))
            .annotate(images=Count("*"))
            .order_by("week")
        )
    weeks: list[str] = []
    cells: dict[tuple[str, int], int] = {}
    names: dict[int, str] = {}
    for row in rows:
        week = _iso(row["week"])
        if not weeks or weeks[-1] != week:
            weeks.append(week)
        cells[week, row["label_id"]] = row["images"]
        names[row["label_id"]] = row["label_name"]
    series = [
        {
            "label_id": label_id,
            "label": names[label_id],
            "images": [cells.get((week, label_id), 0) for week in weeks],
        }
        for label_id in label_ids
        if label_id in names
    ]
    return {"weeks": weeks, "series": series}


def review_backlog(filters: Filters, limit: int = 30) -> list[dict[str, Any]]:
    """Labels waiting for a person's decision, by label, most first:
    [{"label_id", "label", "images"}]."""
    return _per_label(ImageLabel.objects.pending(), filters, limit)


def people_most_shown(filters: Filters, limit: int = 20) -> list[dict[str, Any]]:
    """People in the most images, most first: [{"person_id", "person", "images"}]."""
    rows = (
        Face.objects.showing()
        .filter(filters.q("image__"))
        .values("person_id", person_name=F("person__name"))
        # Two faces of one person in a photo (a mirror, a poster) are one image.
        .annotate(images=Count("image_id", distinct=True))
        .order_by("-images", "person_name")[:limit]
    )
    return [
        {"person_id": r["person_id"], "person": r["person_name"], "images": r["images"]}
        for r in rows
    ]


def flagged_images(filters: Filters, limit: int = 12) -> dict[str, Any]:
    """Images the safety check flagged: {"total": n, "images": [{"image_id", "title",
    "safety_score", "thumbnail"}]}, the most likely unsafe first."""
    rows = list(
        get_image_model()
        .objects.filter(filters.q(), analysis__flagged=True)
        # The count rides on each row (a window over the whole result): one query.
        .annotate(total=Window(Count("pk")), safety_score=F("analysis__safety_score"))
        .order_by(F("analysis__safety_score").desc(nulls_last=True), "-pk")[:limit]
    )
    images = [
        {
            "image_id": image.pk,
            "title": host().image_title(image),
            "safety_score": image.safety_score,
            "thumbnail": host().thumbnail_url(image),
        }
        for image in rows
    ]
    return {"total": rows[0].total if rows else 0, "images": images}


def _label_rollup_q(filters: Filters, by_week: bool = False) -> Q:
    return rollup.label_rows_q(filters.start, filters.end, filters.rights, by_week)


def _days_q(field: str, filters: Filters) -> Q:
    q = Q()
    if filters.start:
        q &= Q(**{f"{field}__gte": filters.start})
    if filters.end:
        q &= Q(**{f"{field}__lte": filters.end})
    return q


def _iso(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if value else ""
