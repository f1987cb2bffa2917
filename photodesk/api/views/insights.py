"""/insights/…: the dashboard's charts and the map's points, read-only, for users with the
"view insights" permission. Each answers what insights/queries.py returns for the filters
`added` (FIRST..LAST, days included, either end optional) and `rights` (comma-separated)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api.views.base import PhotodeskView
from photodesk.insights import queries
from photodesk.insights.filters import ADDED_PARAM, RIGHTS_PARAM, BadFilter, Filters
from photodesk.insights.projection import map_points
from photodesk.models import ArchiveMap

VIEW_INSIGHTS = ("semantic_search.view_insights",)

FILTER_PARAMETERS = [
    OpenApiParameter(
        "added",
        OpenApiTypes.STR,
        description="Days the images were added: FIRST..LAST (YYYY-MM-DD, both included; "
        "either may be left out), or one day.",
    ),
    OpenApiParameter(
        "rights", OpenApiTypes.STR, description="Rights values, comma-separated (any of them)."
    ),
]
LIMIT_PARAMETER = OpenApiParameter(
    "limit", OpenApiTypes.INT, description="How many rows, most first (1–200)."
)


def _rows(name: str, **fields: serializers.Field) -> serializers.Serializer:
    return inline_serializer(name, fields)


LABEL_ROWS = _rows(
    "InsightLabelCount",
    label_id=serializers.IntegerField(),
    label=serializers.CharField(),
    images=serializers.IntegerField(),
)
SCHEMAS = {
    "states": inline_serializer(
        "InsightStates",
        {
            "total": serializers.IntegerField(),
            "states": _rows(
                "InsightStateCount",
                state=serializers.ChoiceField(choices=queries.STATES),
                images=serializers.IntegerField(),
            ).__class__(many=True),
        },
    ),
    "ingest": _rows(
        "InsightDayCount", day=serializers.DateField(), images=serializers.IntegerField()
    ).__class__(many=True),
    "labels": LABEL_ROWS.__class__(many=True),
    "people": _rows(
        "InsightPersonCount",
        person_id=serializers.IntegerField(),
        person=serializers.CharField(),
        images=serializers.IntegerField(),
    ).__class__(many=True),
    "flagged": inline_serializer(
        "InsightFlagged",
        {
            "total": serializers.IntegerField(),
            "images": _rows(
                "InsightFlaggedImage",
                image_id=serializers.IntegerField(),
                title=serializers.CharField(),
                safety_score=serializers.FloatField(allow_null=True),
                thumbnail=serializers.CharField(),
            ).__class__(many=True),
        },
    ),
    "over_time": inline_serializer(
        "InsightLabelsOverTime",
        {
            "weeks": serializers.ListField(child=serializers.DateField()),
            "series": _rows(
                "InsightLabelSeries",
                label_id=serializers.IntegerField(),
                label=serializers.CharField(),
                images=serializers.ListField(child=serializers.IntegerField()),
            ).__class__(many=True),
        },
    ),
}


def request_filters(request: Request) -> Filters:
    params = {
        ADDED_PARAM: request.query_params.get("added", ""),
        RIGHTS_PARAM: request.query_params.get("rights", ""),
    }
    try:
        return Filters.from_params(params)
    except BadFilter as error:
        raise ValidationError({"filters": str(error).replace("pd_", "")}) from None


def request_limit(request: Request, default: int) -> int:
    text = request.query_params.get("limit", "")
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise ValidationError({"limit": "A whole number from 1 to 200."})
    return int(text)


class InsightView(PhotodeskView):
    # One chart: `chart(filters, **options)` answers; a view with a limit passes it on.
    action_perms = {"get": VIEW_INSIGHTS}
    pagination_class = None  # a chart is one answer: its rows are bounded by `limit`
    chart: Callable[..., Any]
    default_limit: int | None = None

    def get(self, request: Request) -> Response:
        filters = request_filters(request)
        options = {}
        if self.default_limit is not None:
            options["limit"] = request_limit(request, self.default_limit)
        return Response(type(self).chart(filters, **options))


def _view(
    name: str, chart: Callable[..., Any], summary: str, schema: Any, limit: int | None = None
):
    parameters = [*FILTER_PARAMETERS, *([LIMIT_PARAMETER] if limit else [])]

    # A method of its own per view: extend_schema marks the function it decorates, and a
    # shared one would carry the last view's schema to all.
    def get(self: InsightView, request: Request) -> Response:
        return InsightView.get(self, request)

    get = extend_schema(
        summary=summary, parameters=parameters, responses=schema, tags=["insights"]
    )(get)
    return type(
        name,
        (InsightView,),
        {
            "chart": staticmethod(chart),
            "default_limit": limit,
            "get": get,
            "__module__": __name__,
            "__qualname__": name,
        },
    )


AnalysisStatesView = _view(
    "AnalysisStatesView", queries.analysis_states, "Images by analysis state", SCHEMAS["states"]
)
IngestView = _view("IngestView", queries.ingest_per_day, "Images added per day", SCHEMAS["ingest"])
TopLabelsView = _view(
    "TopLabelsView", queries.top_labels, "Most common labels", SCHEMAS["labels"], limit=60
)
ReviewBacklogView = _view(
    "ReviewBacklogView",
    queries.review_backlog,
    "Labels waiting for review, by label",
    SCHEMAS["labels"],
    limit=30,
)
PeopleView = _view(
    "PeopleView", queries.people_most_shown, "People most shown", SCHEMAS["people"], limit=20
)
FlaggedView = _view(
    "FlaggedView",
    queries.flagged_images,
    "Images flagged by the safety check",
    SCHEMAS["flagged"],
    limit=12,
)


class LabelsOverTimeView(InsightView):
    @extend_schema(
        summary="Labels over time (images per week)",
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "labels",
                OpenApiTypes.STR,
                description="Label ids, comma-separated (default: the 5 most common).",
            ),
        ],
        responses=SCHEMAS["over_time"],
        tags=["insights"],
    )
    def get(self, request: Request) -> Response:
        filters = request_filters(request)
        text = request.query_params.get("labels", "")
        try:
            label_ids = [int(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise ValidationError({"labels": "Label ids, comma-separated."}) from None
        if not label_ids:
            label_ids = [row["label_id"] for row in queries.top_labels(filters, limit=5)]
        return Response(queries.labels_over_time(filters, label_ids))


class MapPointsView(InsightView):
    @extend_schema(
        summary="Points of the map of the archive",
        description="The newest computed map: [x, y, image id, label index, title, labels] "
        "per point (x, y in 0–100), at most `limit` of them (a fixed random sample); "
        "`labels` names the label indexes.",
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most (1–100000)."),
        ],
        responses=OpenApiTypes.OBJECT,
        tags=["insights"],
    )
    def get(self, request: Request) -> Response:
        filters = request_filters(request)
        text = request.query_params.get("limit", "") or "20000"
        if not text.isdigit() or not 1 <= int(text) <= 100_000:
            raise ValidationError({"limit": "A whole number from 1 to 100000."})
        latest = ArchiveMap.latest()
        if latest is None:
            return Response({"computed": None, "points": [], "labels": [], "shown": 0, "total": 0})
        points = map_points(latest, filters, limit=int(text))
        return Response(
            {"computed": latest.created, "method": latest.method, "vector": latest.vector, **points}
        )
