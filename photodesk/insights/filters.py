"""The filters every chart shares: a range of days the images were added and their rights.

The same filters narrow the image lists a chart links to, so a bar's number and the list it
opens agree. Query strings carry them as `pd_added=2026-01-01..2026-03-31` and
`pd_rights=editorial,unrestricted` (both optional).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from photodesk.host import host

ADDED_PARAM = "pd_added"
RIGHTS_PARAM = "pd_rights"


class BadFilter(ValueError):
    """A filter value that cannot be read (the message says which and why)."""


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None  # first day, included
    end: dt.date | None = None  # last day, included
    rights: tuple[str, ...] = field(default=())

    @classmethod
    def from_params(cls, params: Any) -> Filters:
        """Read `pd_added` and `pd_rights` from a QueryDict or dict; BadFilter when unreadable."""
        start, end = parse_added(params.get(ADDED_PARAM) or "")
        rights = parse_rights(params.get(RIGHTS_PARAM) or "")
        return cls(start, end, rights)

    def q(self, to_image: str = "") -> Q:
        """These filters as a Q on a model that reaches the image through `to_image`
        ("" for the image model itself, "image__" for Photodesk's rows)."""
        q = Q()
        added = host().image_field_present("added")
        if added and self.start:
            q &= Q(**{f"{to_image}{added}__gte": day_start(self.start)})
        if added and self.end:
            q &= Q(**{f"{to_image}{added}__lt": day_start(self.end + dt.timedelta(days=1))})
        rights = host().image_field_present("rights")
        if rights and self.rights:
            q &= Q(**{f"{to_image}{rights}__in": self.rights})
        return q

    def params(self) -> dict[str, str]:
        """These filters as query parameters (only those set)."""
        out = {}
        if self.start or self.end:
            out[ADDED_PARAM] = f"{self.start or ''}..{self.end or ''}"
        if self.rights:
            out[RIGHTS_PARAM] = ",".join(self.rights)
        return out

    def narrowed(self, start: dt.date, end: dt.date) -> Filters:
        """These filters within [start, end] too (a day or a week of a chart)."""
        start = max(start, self.start) if self.start else start
        end = min(end, self.end) if self.end else end
        return Filters(start, end, self.rights)


def day_start(day: dt.date) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time.min)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def parse_added(text: str) -> tuple[dt.date | None, dt.date | None]:
    """ "2026-01-01..2026-03-31", "2026-01-01..", "..2026-03-31" or one day "2026-01-01"."""
    text = text.strip()
    if not text:
        return None, None
    first, sep, last = text.partition("..")
    if not sep:
        last = first
    try:
        start = dt.date.fromisoformat(first.strip()) if first.strip() else None
        end = dt.date.fromisoformat(last.strip()) if last.strip() else None
    except ValueError as error:
        raise BadFilter(
            f"{ADDED_PARAM}: dates are YYYY-MM-DD, a range is FIRST..LAST ({error})."
        ) from None
    if start and end and start > end:
        raise BadFilter(f"{ADDED_PARAM}: the first day {start} is after the last day {end}.")
    return start, end


def parse_rights(text: str) -> tuple[str, ...]:
    values = tuple(sorted({v.strip() for v in text.split(",") if v.strip()}))
    known = host().rights_choices()
    if known and (unknown := [v for v in values if v not in known]):
        raise BadFilter(
            f"{RIGHTS_PARAM}: unknown rights {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}."
        )
    return values
