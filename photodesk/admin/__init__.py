"""Admin for analysis state, and the parts a site's own admin reuses: the analysis panel of
any image admin (AnalysisPanelMixin), the faces panel (FacesPanelMixin), the tags inline, and
the "Suggested images" panel of an article editor (SuggestPanelMixin, suggest_panel.py)."""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import SafeString

from photodesk.admin.thumbnails import thumbnail_view
from photodesk.admin.usage import may_remove, remove_usage_view, usage_rows
from photodesk.models import ImageAnalysis
from photodesk.tasks import enqueue_analysis

_viewer: ContextVar = ContextVar("photodesk_admin_viewer", default=None)


def render_analysis(image, user=None) -> SafeString:
    analysis = ImageAnalysis.objects.filter(image=image).first() if image and image.pk else None
    context = {
        "analysis": analysis,
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


@admin.register(ImageAnalysis)
class ImageAnalysisAdmin(admin.ModelAdmin):
    list_display = ("image", "status", "face_count", "seconds", "pipeline_version", "updated")
    list_filter = ("status", "pipeline_version", "embedding_model")
    search_fields = ("description", "ocr_text", "error")
    actions = [rerun_analysis]
    list_select_related = ("image",)
    readonly_fields = [f.name for f in ImageAnalysis._meta.fields if f.name != "id"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_urls(self) -> list:
        # The image thumbnails live here: the one admin model every Photodesk site registers.
        thumbnail = self.admin_site.admin_view(thumbnail_view, cacheable=True)
        return [
            path("thumbnail/<int:image_id>/", thumbnail, name="semantic_search_thumbnail"),
            path(
                "usage/<int:pk>/remove/",
                self.admin_site.admin_view(remove_usage_view),
                name="semantic_search_usage_remove",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="seconds")
    def seconds(self, obj: ImageAnalysis) -> str:
        return format_html("{}", obj.total_seconds) if obj.timings else "—"


from photodesk.admin.suggest_panel import SuggestPanelMixin  # noqa: E402
from photodesk.labels.admin import (  # noqa: E402  (registers the label admins)
    ImageLabelInline,
    LabelInlineMixin,
)
from photodesk.people.admin import FacesPanelMixin  # noqa: E402  (registers the people admins)

__all__ = [
    "AnalysisPanelMixin",
    "FacesPanelMixin",
    "ImageLabelInline",
    "LabelInlineMixin",
    "SuggestPanelMixin",
    "render_analysis",
]
