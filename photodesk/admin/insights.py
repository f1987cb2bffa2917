"""The insights pages of the admin: the dashboard and the map of the archive, for users with
the "view insights" permission. Each is the changelist of a model that only carries it (the
dashboard a proxy of ArchiveMap), so both are linked from the admin index like any model.

The views only read the request's filters, call insights/queries.py (one query per chart)
and give every bar, word and point the URL of the image list it stands for."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from photodesk.admin.insights_filters import (
    FLAGGED_PARAM,
    LABEL_PARAM,
    PERSON_PARAM,
    REVIEW_PARAM,
    STATE_PARAM,
)
from photodesk.host import get_image_model, host
from photodesk.insights import queries
from photodesk.insights.filters import (
    ADDED_PARAM,
    RIGHTS_PARAM,
    BadFilter,
    Filters,
)
from photodesk.insights.projection import map_points
from photodesk.models import ArchiveMap, InsightsDashboard
from photodesk.tasks import enqueue_archive_map

PERMISSION = "semantic_search.view_insights"
LABELS_PARAM = "pd_labels"  # the labels of "labels over time": ids, comma-separated
BAR_LABELS = 20  # bars of "most common labels"; the tag cloud shows all TOP_LABELS
TOP_LABELS = 60
TIME_LABELS = 5  # labels over time, when none are picked: the most common ones


def image_list_url(filters: Filters, **params: Any) -> str:
    """The site's image list (its admin changelist) narrowed to `filters` and `params`; the
    analysis list when the image model is not in this admin (a Wagtail site)."""
    query = urlencode({**filters.params(), **{k: v for k, v in params.items() if v is not None}})
    opts = get_image_model()._meta
    try:
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        base = analysis_list_base()
    return f"{base}?{query}"


def analysis_list_base() -> str:
    return reverse("admin:semantic_search_imageanalysis_changelist")


def analysis_list_url(filters: Filters, **params: Any) -> str:
    return f"{analysis_list_base()}?{urlencode({**filters.params(), **params})}"


def image_change_url() -> str:
    """The admin page of image 0 (the map's script puts each point's id in its place)."""
    return host().image_admin_url(get_image_model()(pk=0)) or ""


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _range(filters: Filters, first: dt.date, last: dt.date) -> dict[str, str]:
    narrowed = filters.narrowed(first, last)
    return {"pd_added": f"{narrowed.start}..{narrowed.end}"}


def chart_data(filters: Filters, label_ids: list[int]) -> dict[str, Any]:
    """Every chart of the dashboard, each point with the URL of its image list."""
    no_range = Filters(rights=filters.rights)  # a day's or week's link sets its own range

    states = queries.analysis_states(filters)
    for row in states["states"]:
        row["url"] = (
            analysis_list_url(filters, **{STATE_PARAM: row["state"]})
            if row["state"] == "failed"
            else image_list_url(filters, **{STATE_PARAM: row["state"]})
        )
    states["url"] = image_list_url(filters)

    days = queries.ingest_per_day(filters)
    for row in days:
        day = _day(row["day"])
        row["url"] = image_list_url(no_range, **_range(filters, day, day))

    labels = queries.top_labels(filters, limit=TOP_LABELS)
    for row in labels:
        row["url"] = image_list_url(filters, **{LABEL_PARAM: row["label_id"]})

    chosen = label_ids or [row["label_id"] for row in labels[:TIME_LABELS]]
    over_time = queries.labels_over_time(filters, chosen)
    for series in over_time["series"]:
        series["urls"] = [
            image_list_url(
                no_range,
                **_range(filters, _day(week), _day(week) + dt.timedelta(days=6)),
                **{LABEL_PARAM: series["label_id"]},
            )
            for week in over_time["weeks"]
        ]

    backlog = queries.review_backlog(filters)
    for row in backlog:
        row["url"] = image_list_url(filters, **{REVIEW_PARAM: row["label_id"]})

    people = queries.people_most_shown(filters)
    for row in people:
        row["url"] = image_list_url(filters, **{PERSON_PARAM: row["person_id"]})

    flagged = queries.flagged_images(filters)
    flagged["url"] = image_list_url(filters, **{FLAGGED_PARAM: "yes"})
    for row in flagged["images"]:
        row["url"] = host().image_admin_url(get_image_model()(pk=row["image_id"])) or ""

    return {
        "states": states,
        "ingest": days,
        "labels": labels,
        "bar_labels": BAR_LABELS,
        "over_time": over_time,
        "chosen_labels": chosen,
        "backlog": backlog,
        "people": people,
        "flagged": flagged,
    }


def _label_ids(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BadFilter(f"{LABELS_PARAM}: label ids, comma-separated.") from None


def form_params(query: Any) -> dict[str, str]:
    """The page's query as filter parameters: the filter form sends "from", "to", "right"
    (repeated) and "label" (repeated); links send pd_added, pd_rights and pd_labels."""
    params = {key: query.get(key) for key in (ADDED_PARAM, RIGHTS_PARAM, LABELS_PARAM)}
    first, last = query.get("from", "").strip(), query.get("to", "").strip()
    if first or last:
        params[ADDED_PARAM] = f"{first}..{last}"
    if "right" in query:
        params[RIGHTS_PARAM] = ",".join(query.getlist("right"))
    if "label" in query:
        params[LABELS_PARAM] = ",".join(query.getlist("label"))
    return {key: value for key, value in params.items() if value}


class InsightsAdmin(admin.ModelAdmin):
    """Shared by the two pages: only the "view insights" permission opens them, and they have
    no add, change or delete."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(PERMISSION)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def filters_or_message(self, request: HttpRequest) -> tuple[Filters, list[int]]:
        params = form_params(request.GET)
        try:
            return Filters.from_params(params), _label_ids(params.get(LABELS_PARAM, ""))
        except BadFilter as error:
            self.message_user(request, f"{error} Showing the whole archive.", messages.ERROR)
            return Filters(), []

    def page_context(self, request: HttpRequest, filters: Filters, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "filters": filters,
            "rights_choices": host().rights_choices(),
            "dashboard_url": reverse("admin:semantic_search_insightsdashboard_changelist"),
            "map_url": reverse("admin:semantic_search_archivemap_changelist"),
        }


@admin.register(InsightsDashboard)
class DashboardAdmin(InsightsAdmin):
    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters, label_ids = self.filters_or_message(request)
        data = chart_data(filters, label_ids)
        context = {
            **self.page_context(request, filters, "Archive insights"),
            "charts": data,
            "label_choices": data["labels"],
            "chosen_labels": set(data["chosen_labels"]),
        }
        return TemplateResponse(request, "semantic_search/insights/dashboard.html", context)


@admin.register(ArchiveMap)
class ArchiveMapAdmin(InsightsAdmin):
    def get_urls(self) -> list:
        refresh = self.admin_site.admin_view(self.refresh_view)
        return [
            path("refresh/", refresh, name="semantic_search_archivemap_refresh"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters, _ = self.filters_or_message(request)
        latest = ArchiveMap.latest()
        points = map_points(latest, filters) if latest else {"points": [], "labels": []}
        context = {
            **self.page_context(request, filters, "Map of the archive"),
            "archive_map": latest,
            "map": points,
            "image_change_url": image_change_url(),
            "refresh_url": reverse("admin:semantic_search_archivemap_refresh"),
        }
        return TemplateResponse(request, "semantic_search/insights/map.html", context)

    def refresh_view(self, request: HttpRequest) -> HttpResponse:
        """POST: compute the map again (a task; at once when tasks run inline)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        enqueue_archive_map()
        self.message_user(
            request, "The map is being computed again; reload in a minute.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:semantic_search_archivemap_changelist"))
