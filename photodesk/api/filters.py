"""Query parameters, read in one place for every view: the image filters shared by the image
list and search (validated, applied to a queryset of the image model or turned into the index's
`Filters`), and the small ones (ids, limits, booleans, states) that answer 400 naming the
parameter when they are wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from photodesk.conf import photodesk_settings
from photodesk.models import ImageAnalysis, ImageLabel
from photodesk.people.queries import images_showing, people_called
from photodesk.search.index import Filters

# Ids in URLs and query strings: at most 18 digits, so a huge number is a 404 or a 400, not a
# database overflow.
ID = r"[0-9]{1,18}"
MAX_ID = 10**18 - 1

LIMIT = OpenApiParameter(
    "limit", OpenApiTypes.INT, description="At most this many results (default and cap: 50)."
)


def result_limit(params: Mapping[str, str]) -> int:
    """`?limit=`: how many results a search-like answer holds (default and cap:
    API_RESULT_LIMIT)."""
    cap = photodesk_settings.API_RESULT_LIMIT
    raw = params.get("limit")
    if raw in (None, ""):
        return cap
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"limit": ["A whole number."]}) from None
    if not 1 <= value <= cap:
        raise ValidationError({"limit": [f"Between 1 and {cap}."]})
    return value


def id_param(params: Mapping[str, str], name: str, message: str = "An id.") -> int | None:
    """`?name=` as an object id, None when absent."""
    value = params.get(name)
    if not value:
        return None
    # ASCII digits only: isdigit() is also true of "²", which int() cannot read.
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise ValidationError({name: [message]})
    return int(value)


def choice_param(
    params: Mapping[str, str], name: str, choices: Iterable[str], default: str | None = None
) -> str | None:
    """`?name=` as one of `choices` (a model's TextChoices values), `default` when absent."""
    choices = list(choices)
    value = params.get(name) or default
    if value is not None and value not in choices:
        raise ValidationError({name: [f"One of {', '.join(choices)}."]})
    return value


def bool_param(params: Mapping[str, str], name: str) -> bool | None:
    """`?name=true` or `?name=false`; anything else does not filter."""
    return {"true": True, "false": False}.get(params.get(name, ""))


def text_param(params: Mapping[str, str], name: str) -> str:
    """`?name=` without surrounding spaces ("" when absent)."""
    return params.get(name, "").strip()


class ImageFilterSerializer(serializers.Serializer):
    label = serializers.CharField(
        required=False, help_text="A taxonomy label (name, slug or synonym) visible on the image."
    )
    min_confidence = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=100,
        help_text="With `label`: only where the label's confidence is at least this (0–100).",
    )
    person = serializers.CharField(
        required=False, help_text="A person shown in the image: name or alias, or the person id."
    )
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    flagged = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Flagged as unsafe (or not)."
    )
    status = serializers.ChoiceField(
        choices=ImageAnalysis.Status.choices, required=False, help_text="Analysis state."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "min_confidence" in attrs and not attrs.get("label"):
            raise serializers.ValidationError({"min_confidence": "Give a label with it."})
        return attrs


def parse_filters(query_params: Any) -> dict[str, Any]:
    """Validated filters from request.query_params (400 with field messages if invalid)."""
    # A plain dict: with a QueryDict DRF reads an absent boolean as False (HTML forms).
    checked = ImageFilterSerializer(data=query_params.dict())
    checked.is_valid(raise_exception=True)
    return {k: v for k, v in checked.validated_data.items() if v is not None}


def filter_images(queryset: QuerySet, filters: dict[str, Any]) -> QuerySet:
    if "label" in filters:
        rows = ImageLabel.objects.visible().with_label(
            filters["label"], filters.get("min_confidence")
        )
        queryset = queryset.filter(pk__in=rows.values("image_id"))
    if "person" in filters:
        queryset = images_showing(people_called(filters["person"]), queryset)
    if "created_after" in filters:
        queryset = queryset.filter(created__gte=filters["created_after"])
    if "created_before" in filters:
        queryset = queryset.filter(created__lte=filters["created_before"])
    if "flagged" in filters:
        flagged = ImageAnalysis.objects.filter(flagged=True).values("image_id")
        queryset = (
            queryset.filter(pk__in=flagged)
            if filters["flagged"]
            else queryset.exclude(pk__in=flagged)
        )
    if "status" in filters:
        analysed = ImageAnalysis.objects.filter(status=filters["status"]).values("image_id")
        queryset = queryset.filter(pk__in=analysed)
    return queryset


def index_filters(image_queryset: QuerySet, filters: dict[str, Any], **base: Any) -> Filters:
    """The index's Filters for a search with these API filters: dates and safety go to the
    index; the rest is resolved in the database to the ids allowed."""
    out = Filters(**base)
    if "created_after" in filters:
        out.created_after = _aware(filters["created_after"])
    if "created_before" in filters:
        out.created_before = _aware(filters["created_before"])
    if filters.get("flagged") is False:
        out.exclude_flagged = True
    database_side = {k for k in filters if k in {"label", "person", "status"}}
    if database_side or filters.get("flagged") is True:
        ids = filter_images(image_queryset, filters).values_list("pk", flat=True)
        out.include_ids = set(ids)
    return out


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
