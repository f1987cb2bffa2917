"""The label and ingest charts' rollups (LabelRollup, IngestRollup): images per label, rights
value and day, week or ever added, kept exact as rows change, so those charts add up a few
thousand rows instead of joining millions of label rows to their images.

Kept by deltas: signal_handlers.py hands every saved or deleted label row and image here, in
the transaction that changes it; each change adds or takes one image from its day's, its
week's and the all-time row (an upsert that adds, so concurrent changes never lose one). Rows
written around the ORM (bulk_create, queryset.update, raw SQL) are not seen: `rebuild()` (the
`rebuild_insights` command) counts everything again. An image without a day added is not
counted (the live charts count its labels when no days are chosen). The charts read the rollups only
once they were built, in the current time zone (their days are that zone's); before that,
and for filters they cannot answer, the live queries count.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from photodesk.host import get_image_model, host
from photodesk.insights.filters import Filters
from photodesk.models import ImageLabel, IngestRollup, LabelRollup, RollupBuild

# A label row counts when it is visible; whether its label is active is read at chart time.
COUNTED = (ImageLabel.State.AUTO, ImageLabel.State.ACCEPTED)
CHUNK_WEEKS = 4  # rebuild() counts this many weeks per query

Bucket = tuple[dt.date, str]  # (day added, rights value)


# The filters the rollups can answer (any other one set: the live queries count).
ANSWERED = {"start", "end", "rights"}


def answers(filters: Filters) -> bool:
    """Whether the rollups can count the charts for `filters` (and are ready to)."""
    others = [f.name for f in dataclasses.fields(filters) if f.name not in ANSWERED]
    if any(getattr(filters, name) != getattr(Filters(), name) for name in others):
        return False
    return ready()


def ready() -> bool:
    """Whether the charts may read the rollups: built, in the current time zone, and the
    image model says when an image was added."""
    if not _field("added"):
        return False
    return RollupBuild.objects.filter(time_zone=timezone.get_current_timezone_name()).exists()


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_day(moment: dt.datetime | dt.date | None) -> dt.date | None:
    """The day of `moment` in the current time zone (as the database's TruncDate reads it)."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def bucket_of(image: Any) -> Bucket | None:
    """An image instance's (day added, rights)."""
    added, rights_field = _field("added"), _field("rights")
    day = local_day(getattr(image, added, None)) if added else None
    if day is None:
        return None
    rights = getattr(image, rights_field, None) if rights_field else None
    return day, str(rights or "")


def stored_bucket(image_id: Any) -> Bucket | None:
    """The stored image's (day added, rights); None when it has no day or is gone."""
    added, rights = _field("added"), _field("rights")
    if not added or image_id is None:
        return None
    fields = [added, *([rights] if rights else [])]
    row = get_image_model().objects.filter(pk=image_id).values_list(*fields).first()
    if row is None or row[0] is None:
        return None
    return local_day(row[0]), str((row[1] if len(row) > 1 else None) or "")


# --- changes ------------------------------------------------------------------------------


def counted_label(row: ImageLabel) -> tuple[Any, int] | None:
    """(image id, label id) when the row counts, else None."""
    return (row.image_id, row.label_id) if row.state in COUNTED else None


def stored_label(pk: Any) -> tuple[Any, int] | None:
    """What the stored label row `pk` counts (before a save changes it)."""
    if pk is None:
        return None
    row = ImageLabel.objects.filter(pk=pk, state__in=COUNTED).values_list("image_id", "label_id")
    return row.first()


def label_changed(before: tuple[Any, int] | None, after: tuple[Any, int] | None) -> None:
    """A label row went from counting `before` to counting `after` (either may be None)."""
    if before == after:
        return
    for counted, n in ((before, -1), (after, 1)):
        if counted is not None and (where := stored_bucket(counted[0])) is not None:
            _add_labels(where, {counted[1]: n})


def image_changed(before: Bucket | None, after: Bucket | None, image_id: Any) -> None:
    """An image was added (before None), deleted (after None; its label rows went first) or
    moved to another day or rights value: its count and its labels' counts follow."""
    if before == after:
        return
    if before is not None:
        _add_ingest(before, -1)
    if after is not None:
        _add_ingest(after, 1)
    if before is None or after is None:
        return  # a new image has no labels yet; a deleted one's rows took theirs
    labels = list(
        ImageLabel.objects.filter(image_id=image_id, state__in=COUNTED).values_list(
            "label_id", flat=True
        )
    )
    if labels:
        _add_labels(before, dict.fromkeys(labels, -1))
        _add_labels(after, dict.fromkeys(labels, 1))


def label_deleted(label_id: int) -> None:
    """A label was deleted (its image rows first, each taking its count): its rows go."""
    LabelRollup.objects.filter(label_id=label_id).delete()


def _add_labels(where: Bucket, deltas: dict[int, int]) -> None:
    day, rights = where
    week = week_of(day)
    ever = LabelRollup.ALL_TIME
    rows = [
        (span, start, rights, label_id, of_week, n)
        for label_id, n in deltas.items()
        for span, start, of_week in (
            (LabelRollup.DAY, day, week),
            (LabelRollup.WEEK, week, week),
            (LabelRollup.ALL, ever, ever),
        )
    ]
    _upsert(LabelRollup, ["span", "start", "rights", "label_id", "week", "images"], rows, 4)


def _add_ingest(where: Bucket, n: int) -> None:
    _upsert(IngestRollup, ["day", "rights", "images"], [(*where, n)], 2)


def _upsert(model: Any, columns: list[str], rows: list[tuple], key: int) -> None:
    """INSERT … ON CONFLICT (the first `key` columns) DO UPDATE SET images = images + new
    (SQLite and PostgreSQL): the database adds, so two workers never overwrite each other."""
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cells = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {cells} "
        f"ON CONFLICT ({', '.join(q(c) for c in columns[:key])}) "
        f"DO UPDATE SET {q('images')} = {table}.{q('images')} + excluded.{q('images')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


# --- from scratch --------------------------------------------------------------------------


def rebuild(progress: Callable[[int, int], None] | None = None) -> RollupBuild:
    """Count every image and label row again, CHUNK_WEEKS weeks per query, in one transaction
    (the charts read the old rollups until it commits). `progress(done, total)` first and
    after each chunk."""
    started = time.monotonic()
    added = _field("added")
    with transaction.atomic():
        LabelRollup.objects.all().delete()
        IngestRollup.objects.all().delete()
        RollupBuild.objects.all().delete()
        chunks = list(_chunks(added)) if added else []
        ever: dict[tuple[str, int], int] = {}
        if progress:
            progress(0, len(chunks))
        for done, (first, last) in enumerate(chunks, 1):
            for key, n in _count(added, first, last).items():
                ever[key] = ever.get(key, 0) + n
            if progress:
                progress(done, len(chunks))
        at = LabelRollup.ALL_TIME
        LabelRollup.objects.bulk_create(
            (
                LabelRollup(
                    span=LabelRollup.ALL, start=at, week=at, rights=v, label_id=label, images=n
                )
                for (v, label), n in ever.items()
            ),
            batch_size=5000,
        )
        return RollupBuild.objects.create(
            built_at=timezone.now(),
            time_zone=timezone.get_current_timezone_name(),
            seconds=time.monotonic() - started,
        )


def mark_built_if_empty() -> None:
    """A new archive has nothing to count: its rollups are ready as they are (kept from the
    first image on), so no one needs to run the command."""
    if not RollupBuild.objects.exists() and not get_image_model().objects.exists():
        RollupBuild.objects.create(
            built_at=timezone.now(), time_zone=timezone.get_current_timezone_name()
        )


def _chunks(added: str) -> Iterable[tuple[dt.date, dt.date]]:
    days = get_image_model().objects.exclude(**{f"{added}__isnull": True})
    days = days.annotate(day=TruncDate(added)).order_by().values_list("day", flat=True)
    first, last = days.order_by("day").first(), days.order_by("-day").first()
    if first is None:
        return
    start = week_of(first)
    while start <= last:
        end = start + dt.timedelta(weeks=CHUNK_WEEKS)
        yield start, end - dt.timedelta(days=1)
        start = end


def _count(added: str, first: dt.date, last: dt.date) -> dict[tuple[str, int], int]:
    """The rollup rows of days first..last (whole weeks), from the live rows; returns their
    images per (rights, label), for the all-time rows."""
    rights = _field("rights")
    within = Filters(first, last).q
    images = get_image_model().objects.filter(within())
    ingest = images.annotate(day=TruncDate(added)).values("day", *([rights] if rights else []))
    IngestRollup.objects.bulk_create(
        IngestRollup(day=row["day"], rights=str(row.get(rights) or ""), images=row["n"])
        for row in ingest.annotate(n=Count("*")).order_by()
    )
    by_image = f"image__{rights}"
    labels = (
        ImageLabel.objects.filter(within("image__"), state__in=COUNTED)
        .annotate(day=TruncDate(f"image__{added}"))
        .values("day", "label_id", *([by_image] if rights else []))
        .annotate(n=Count("*"))
        .order_by()
    )
    weeks: dict[tuple, int] = {}
    rows = []
    for row in labels:
        value = str(row.get(by_image) or "")
        week = week_of(row["day"])
        rows.append(
            LabelRollup(
                span=LabelRollup.DAY,
                start=row["day"],
                week=week,
                rights=value,
                label_id=row["label_id"],
                images=row["n"],
            )
        )
        key = (week, value, row["label_id"])
        weeks[key] = weeks.get(key, 0) + row["n"]
    rows += [
        LabelRollup(span=LabelRollup.WEEK, start=w, week=w, rights=v, label_id=label, images=n)
        for (w, v, label), n in weeks.items()
    ]
    LabelRollup.objects.bulk_create(rows, batch_size=5000)
    ever: dict[tuple[str, int], int] = {}
    for (_, value, label), n in weeks.items():
        ever[value, label] = ever.get((value, label), 0) + n
    return ever


def _field(role: str) -> str | None:
    return host().image_field_present(role)


# --- reading -------------------------------------------------------------------------------


def label_rows_q(
    start: dt.date | None, end: dt.date | None, rights: tuple[str, ...], by_week: bool = False
) -> Q:
    """The LabelRollup rows that add up to days start..end (either open): whole weeks from the
    week rows, the days of a partial week at either end from the day rows; all days from the
    all-time rows, unless the counts are wanted `by_week`."""
    if start is None and end is None:
        whole = Q(span=LabelRollup.WEEK if by_week else LabelRollup.ALL)
    else:
        # The whole weeks inside the range: from the first Monday on or after `start` to the
        # last Monday whose Sunday is on or before `end`.
        first = None if start is None else week_of(start + dt.timedelta(days=6))
        last = None if end is None else week_of(end + dt.timedelta(days=1)) - dt.timedelta(weeks=1)
        if first is not None and last is not None and first > last:
            whole = Q(pk__in=[])  # no whole week: days only
            days = Q(span=LabelRollup.DAY, start__gte=start, start__lte=end)
            return days & rights_q(rights)
        whole = Q(span=LabelRollup.WEEK)
        if first is not None:
            whole &= Q(start__gte=first)
        if last is not None:
            whole &= Q(start__lte=last)
        if start is not None and start < first:
            whole |= Q(span=LabelRollup.DAY, start__gte=start, start__lt=first)
        if end is not None and end >= last + dt.timedelta(weeks=1):
            whole |= Q(
                span=LabelRollup.DAY, start__gte=last + dt.timedelta(weeks=1), start__lte=end
            )
    return whole & rights_q(rights)


def rights_q(rights: tuple[str, ...]) -> Q:
    if rights and _field("rights"):
        return Q(rights__in=rights)
    return Q()
