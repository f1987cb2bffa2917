"""Series (bursts) in the admin: the frames side by side, each with its score and the parts
it comes from, the best one marked; an editor may pick another best frame."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from photodesk.host import get_image_model, host
from photodesk.models import Series, SeriesMember
from photodesk.series.grouping import choose_best, rescore

PART_LABELS = {
    "sharpness": "Sharpness",
    "exposure": "Exposure",
    "face_size": "Face size",
    "eyes_open": "Eyes open",
    "smile": "Smile",
}


def frames_html(series: Series) -> SafeString:
    members = list(series.members.order_by("-score", "image_id"))
    images = get_image_model().objects.in_bulk([m.image_id for m in members])
    site = host()
    frames = []
    for m in members:
        image = images.get(m.image_id)
        if image is None:
            continue
        frames.append(
            {
                "member": m,
                "title": site.image_title(image),
                "thumbnail": site.thumbnail_url(image),
                "admin_url": site.image_admin_url(image),
                "best": m.image_id == series.best_id,
                "parts": [(PART_LABELS[name], value) for name, value in m.parts().items()],
                "ears": m.measures.get("eye_aspect_ratios"),
            }
        )
    return render_to_string(
        "semantic_search/series_frames.html", {"series": series, "frames": frames}
    )


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("__str__", "camera", "started", "size", "best", "best_chosen", "updated")
    list_filter = ("best_chosen",)
    search_fields = ("camera",)
    readonly_fields = ("frames", "camera", "started", "ended", "size", "created", "updated")
    fields = ("frames", "best", "best_chosen", "camera", "started", "ended", "size")
    actions = ["rescore"]

    @admin.display(description="Frames, best first")
    def frames(self, obj: Series) -> SafeString:
        return frames_html(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # series are found, not made

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "best":
            series_id = request.resolver_match.kwargs.get("object_id")
            ids = SeriesMember.objects.filter(series_id=series_id).values("image_id")
            kwargs["queryset"] = get_image_model().objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Series, form, change: bool) -> None:
        if "best" in form.changed_data and obj.best_id:
            choose_best(obj, obj.best_id)  # an editor's pick is kept through rescoring
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Score the frames again")
    def rescore(self, request: HttpRequest, queryset: QuerySet) -> None:
        for series in queryset:
            rescore(series, remeasure=True)
        self.message_user(request, f"{queryset.count()} series scored again.", messages.SUCCESS)
