"""The image-list filters the insights charts link to, for the site's image admin
(IMAGE_LIST_FILTERS) and Photodesk's analysis admin (ANALYSIS_LIST_FILTERS). Each filter
narrows the list exactly as its chart counts (photodesk/insights/queries.py), so the number
on a bar and the length of the list it opens agree.

A site adds them to its image ModelAdmin: `list_filter = (..., *IMAGE_LIST_FILTERS)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count, F, QuerySet

from photodesk.host import host
from photodesk.insights.filters import (
    ADDED_PARAM,
    RIGHTS_PARAM,
    BadFilter,
    Filters,
    parse_added,
    parse_rights,
)
from photodesk.models import Face, ImageAnalysis, ImageLabel, Person

LABEL_PARAM = "pd_label"
REVIEW_PARAM = "pd_review"
PERSON_PARAM = "pd_person"
STATE_PARAM = "pd_state"
FLAGGED_PARAM = "pd_flagged"


def _int(value: str, param: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise IncorrectLookupParameters(f"{param} is a number") from None


def _with_current(choices: list[tuple[str, str]], value: str | None, name: str):
    """The choices, plus the selected value when it is not among them (so it shows)."""
    if value and value not in {key for key, _ in choices}:
        choices.append((value, name))
    return choices


class InsightFilter(admin.SimpleListFilter):
    """Shown in the sidebar only while it filters: the list keeps its own filters and gains
    the one a chart opened it with (with its "All" to clear it)."""

    def has_output(self) -> bool:
        return self.value() is not None


def image_list_filters(to_image: str) -> list[type[admin.SimpleListFilter]]:
    """The filters for a changelist whose rows reach the image through `to_image` ("" for
    the image model, "image__" for ImageAnalysis)."""
    id_field = "pk" if not to_image else f"{to_image}id"

    def having(queryset: QuerySet, image_ids: QuerySet) -> QuerySet:
        return queryset.filter(**{f"{id_field}__in": image_ids})

    class LabelFilter(InsightFilter):
        title = "label (insights)"
        parameter_name = LABEL_PARAM
        rows = ImageLabel.objects.visible

        def lookups(self, request: Any, model_admin: Any):
            top = (
                self.rows()
                .values("label_id", name=F("label__name"))
                .annotate(n=Count("pk"))
                .order_by("-n")[:15]
            )
            choices = [(str(r["label_id"]), r["name"]) for r in top]
            value = self.value()
            name = ""
            if value and value.isdigit():
                label = ImageLabel.objects.filter(label_id=value).values("label__name").first()
                name = label["label__name"] if label else value
            return _with_current(choices, value, name or str(value))

        def queryset(self, request: Any, queryset: QuerySet):
            if not self.value():
                return queryset
            label_id = _int(self.value(), self.parameter_name)
            return having(queryset, self.rows().filter(label_id=label_id).values("image_id"))

    class ReviewFilter(LabelFilter):
        title = "label to review (insights)"
        parameter_name = REVIEW_PARAM
        rows = ImageLabel.objects.pending

    class PersonFilter(InsightFilter):
        title = "person shown (insights)"
        parameter_name = PERSON_PARAM

        def lookups(self, request: Any, model_admin: Any):
            top = (
                Face.objects.showing()
                .values("person_id", name=F("person__name"))
                .annotate(n=Count("image_id", distinct=True))
                .order_by("-n")[:15]
            )
            choices = [(str(r["person_id"]), r["name"]) for r in top]
            value = self.value()
            person = Person.objects.filter(pk=value).first() if (value or "").isdigit() else None
            return _with_current(choices, value, person.name if person else str(value))

        def queryset(self, request: Any, queryset: QuerySet):
            if not self.value():
                return queryset
            person_id = _int(self.value(), self.parameter_name)
            faces = Face.objects.showing().filter(person_id=person_id)
            return having(queryset, faces.values("image_id"))

    class StateFilter(InsightFilter):
        title = "analysis state (insights)"
        parameter_name = STATE_PARAM

        def lookups(self, request: Any, model_admin: Any):
            return ImageAnalysis.Status.choices

        def queryset(self, request: Any, queryset: QuerySet):
            if not self.value():
                return queryset
            if self.value() not in ImageAnalysis.Status.values:
                raise IncorrectLookupParameters(f"{self.parameter_name}: unknown state")
            rows = ImageAnalysis.objects.filter(status=self.value())
            return having(queryset, rows.values("image_id"))

    class FlaggedFilter(InsightFilter):
        title = "flagged by the safety check (insights)"
        parameter_name = FLAGGED_PARAM

        def lookups(self, request: Any, model_admin: Any):
            return [("yes", "Flagged")]

        def queryset(self, request: Any, queryset: QuerySet):
            if self.value() != "yes":
                return queryset
            return having(queryset, ImageAnalysis.objects.filter(flagged=True).values("image_id"))

    class AddedFilter(InsightFilter):
        title = "added (insights)"
        parameter_name = ADDED_PARAM

        def lookups(self, request: Any, model_admin: Any):
            today = dt.date.today()
            choices = [
                (f"{today - dt.timedelta(days=days - 1)}..{today}", label)
                for days, label in ((7, "Last 7 days"), (30, "Last 30 days"), (365, "Last year"))
            ]
            return _with_current(choices, self.value(), (self.value() or "").replace("..", " – "))

        def queryset(self, request: Any, queryset: QuerySet):
            if not self.value():
                return queryset
            try:
                start, end = parse_added(self.value())
            except BadFilter as error:
                raise IncorrectLookupParameters(str(error)) from None
            return queryset.filter(Filters(start, end).q(to_image))

    class RightsFilter(InsightFilter):
        title = "rights (insights)"
        parameter_name = RIGHTS_PARAM

        def lookups(self, request: Any, model_admin: Any):
            choices = list(host().rights_choices().items())
            return _with_current(choices, self.value(), (self.value() or "").replace(",", ", "))

        def queryset(self, request: Any, queryset: QuerySet):
            if not self.value():
                return queryset
            try:
                rights = parse_rights(self.value())
            except BadFilter as error:
                raise IncorrectLookupParameters(str(error)) from None
            return queryset.filter(Filters(rights=rights).q(to_image))

    return [
        AddedFilter,
        RightsFilter,
        StateFilter,
        FlaggedFilter,
        LabelFilter,
        ReviewFilter,
        PersonFilter,
    ]


IMAGE_LIST_FILTERS = image_list_filters("")
ANALYSIS_LIST_FILTERS = image_list_filters("image__")
