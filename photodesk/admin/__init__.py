"""Admin for analysis state, and the parts a site's own admin reuses: the analysis panel of
any image admin (AnalysisPanelMixin), the faces panel (FacesPanelMixin), the tags inline, and
the "Suggested images" panel of an article editor (SuggestPanelMixin, suggest_panel.py), and
the image-list filters the insights charts link to (IMAGE_LIST_FILTERS, for the site's image
admin)."""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe

from photodesk.admin import failures
from photodesk.admin.insights_filters import ANALYSIS_LIST_FILTERS, IMAGE_LIST_FILTERS
from photodesk.admin.thumbnails import thumbnail_view
from photodesk.admin.usage import may_remove, remove_usage_view, usage_rows
from photodesk.host import short_text
from photodesk.models import ImageAnalysis
from photodesk.tasks import enqueue_analysis

_viewer: ContextVar = ContextVar("photodesk_admin_viewer", default=None)


def render_analysis(image, user=None) -> SafeString:
    analysis = ImageAnalysis.objects.filter(image=image).first() if image and image.pk else None
    # Embedded metadata as the panel shows it: each value's start (a caption can be long).
    metadata = {
        key: short_text(", ".join(map(str, value)) if isinstance(value, list) else str(value))
        for key, value in (analysis.photo_metadata if analysis else {}).items()
    }
    context = {
        "analysis": analysis,
        "metadata": metadata,
        "usage_rows": usage_rows(image),
        "may_remove_usage": user is not None and may_remove(user),
    }
    return render_to_string("semantic_search/analysis_panel.html", context)


class AnalysisPanelMixin:
    """Add "photodesk_analysis" to readonly_fields/fieldsets of an image ModelAdmin."""

    @admin.display(description="Analysis")
    def photodesk_analysis(self, obj) -> SafeString:
        return render_analysis(obj, _viewer.get())

    def change_view(self, request, *args, **kwargs):
        # The panel is a read-only field, rendered without the request: it learns who looks
        # (for its buttons) from this request's context, never from the shared ModelAdmin.
        token = _viewer.set(request.user)
        try:
            response = super().change_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            _viewer.reset(token)

    @admin.display(description="Analysis", ordering="analysis__status")
    def analysis_status(self, obj) -> str:
        analysis = getattr(obj, "analysis", None)
        return analysis.get_status_display() if analysis else "—"


@admin.action(description="Re-run analysis of the selected images")
def rerun_analysis(modeladmin, request, queryset) -> None:
    pks = list(queryset.values_list("image_id", flat=True))
    for pk in pks:
        enqueue_analysis(pk, force=True)
    modeladmin.message_user(request, f"Queued analysis of {len(pks)} image(s).", messages.SUCCESS)


@admin.action(
    description="Retry the selected failed analyses and index writes", permissions=["change"]
)
def retry_failures(modeladmin, request, queryset) -> None:
    retried = failures.retry(queryset)
    modeladmin.message_user(request, str(retried), messages.SUCCESS)


@admin.register(ImageAnalysis)
class ImageAnalysisAdmin(admin.ModelAdmin):
    list_display = (
        "image",
        "status",
        "face_count",
        "seconds",
        "pipeline_version",
        "updated",
    )
    list_filter = (
        failures.ProblemFilter,
        "status",
        "pipeline_version",
        "embedding_model",
        *ANALYSIS_LIST_FILTERS,  # what the insights charts link to (shown while in use)
    )
    search_fields = ("description", "ocr_text", "error")
    actions = [rerun_analysis, retry_failures]
    list_select_related = ("image",)
    readonly_fields = [f.name for f in ImageAnalysis._meta.fields if f.name != "id"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self) -> list:
        # The image thumbnails live here: the one admin model every Photodesk site registers.
        thumbnail = self.admin_site.admin_view(thumbnail_view, cacheable=True)
        retry = self.admin_site.admin_view(self.retry_view)
        return [
            path("thumbnail/<int:image_id>/", thumbnail, name="semantic_search_thumbnail"),
            path("<int:pk>/retry/", retry, name="semantic_search_imageanalysis_retry"),
            path(
                "usage/<int:pk>/remove/",
                self.admin_site.admin_view(remove_usage_view),
                name="semantic_search_usage_remove",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "problems": failures.problem_counts()}
        return super().changelist_view(request, extra_context=extra_context)

    def get_queryset(self, request):
        stalled = ImageAnalysis.objects.index_stalled().filter(pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(index_stalled=Exists(stalled))

    def get_list_display(self, request):
        # The retry button only for those who may retry (the view checks it again).
        can_retry = self.has_change_permission(request)

        @admin.display(description="needs attention")
        def problem(obj: ImageAnalysis) -> str:
            return problem_html(obj, can_retry)

        columns = list(super().get_list_display(request))
        columns.insert(columns.index("status") + 1, problem)  # beside the status it explains
        return columns

    def retry_view(self, request, pk: int):
        """POST: queue again the failed analysis or index write of analysis `pk`."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        analysis = get_object_or_404(ImageAnalysis, pk=pk)
        self.message_user(request, str(failures.retry([analysis])), messages.SUCCESS)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:semantic_search_imageanalysis_changelist")
        return HttpResponseRedirect(back)

    @admin.display(description="seconds")
    def seconds(self, obj: ImageAnalysis) -> str:
        return format_html("{}", obj.total_seconds) if obj.timings else "—"


def problem_html(analysis: ImageAnalysis, can_retry: bool) -> str:
    if analysis.status == ImageAnalysis.Status.FAILED:
        what = format_html(
            '<span class="photodesk-problem">Analysis failed:</span> {}', analysis.error[:200]
        )
    elif getattr(analysis, "index_stalled", False):
        what = mark_safe('<span class="photodesk-problem">Index write failed</span>')
    else:
        return "—"
    if not can_retry:
        return what
    # The row is inside the changelist's form (with its CSRF token): the button posts it to
    # the retry view instead.
    url = reverse("admin:semantic_search_imageanalysis_retry", args=[analysis.pk])
    return format_html(
        '{} <button type="submit" class="button photodesk-retry" formaction="{}" '
        'formmethod="post">Retry</button>',
        what,
        url,
    )


# Registered by being imported: the alert and report admins, the insights pages.
from photodesk.admin import alerts, crops, duplicates, insights, series  # noqa: E402, F401
from photodesk.admin.suggest_panel import SuggestPanelMixin  # noqa: E402
from photodesk.admin.video import VideoTimelineMixin  # noqa: E402
from photodesk.labels.admin import (  # noqa: E402  (registers the label admins)
    ImageLabelInline,
    LabelInlineMixin,
)
from photodesk.people.admin import FacesPanelMixin  # noqa: E402  (registers the people admins)

__all__ = [
    "AnalysisPanelMixin",
    "FacesPanelMixin",
    "IMAGE_LIST_FILTERS",
    "ImageLabelInline",
    "LabelInlineMixin",
    "SuggestPanelMixin",
    "VideoTimelineMixin",
    "render_analysis",
]
