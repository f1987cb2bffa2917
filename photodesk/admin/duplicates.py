"""The duplicates review screen: each open group's copies side by side (size in pixels and
bytes, dates, credit, rights, what people said about each), a "keep" choice, and what to do
with the others: delete them, keep them linked to the kept one, or say they differ.
Like Immich's duplicate utility; the work is done by duplicates/merge.py."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join

from photodesk.duplicates import review
from photodesk.duplicates.merge import ResolveError, resolve
from photodesk.host import host
from photodesk.models import DuplicateGroup

ACTIONS = [
    (DuplicateGroup.Action.LINK, "Merge into the chosen one, keep the others linked"),
    (DuplicateGroup.Action.DELETE, "Merge into the chosen one, delete the others"),
    (DuplicateGroup.Action.DISTINCT, "Not duplicates"),
]


@admin.register(DuplicateGroup)
class DuplicateGroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "copies", "status", "action", "kept", "updated")
    list_filter = ("status", "action")
    list_select_related = ("kept",)
    ordering = ("status", "-updated", "-pk")  # open groups first: they are the work

    def has_add_permission(self, request) -> bool:
        return False  # groups come from detection

    def get_queryset(self, request):
        return super().get_queryset(request).shown().prefetch_related("members")

    @admin.display(description="copies")
    def copies(self, group: DuplicateGroup):
        model = host().image_model()
        ids = [m.image_id for m in group.members.all()]
        return format_html_join(
            " ",
            '<img src="{}" alt="" style="height:48px;margin-right:4px" loading="lazy">',
            ((host().thumbnail_url(image),) for image in model.objects.filter(pk__in=ids)),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        group = get_object_or_404(DuplicateGroup, pk=object_id)
        if not self.has_view_permission(request, group):
            raise PermissionDenied
        if request.method == "POST":
            return self._resolve(request, group)
        cards = review.members(group)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Duplicate group {group.pk}",
            "group": group,
            "cards": cards,
            "actions": [
                (value, label, review.may_resolve(request.user, value)) for value, label in ACTIONS
            ],
            "may_resolve": any(review.may_resolve(request.user, v) for v, _ in ACTIONS),
            "next_url": _next_open(group),
        }
        return TemplateResponse(request, "semantic_search/duplicate_review.html", context)

    def _resolve(self, request, group: DuplicateGroup):
        action = request.POST.get("action", "")
        if not review.may_resolve(request.user, action):
            raise PermissionDenied
        keep = request.POST.get("keep", "")
        if not keep.isdigit():
            self.message_user(request, "Choose the image to keep.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        try:
            resolve(group, int(keep), action, request.user)
        except ResolveError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)
        done = dict(ACTIONS)[action]
        self.message_user(request, f"Group {group.pk}: {done.lower()}.", messages.SUCCESS)
        return HttpResponseRedirect(
            _next_open(group) or reverse("admin:semantic_search_duplicategroup_changelist")
        )


def _next_open(group: DuplicateGroup) -> str:
    following = (
        DuplicateGroup.objects.open()
        .shown()
        .exclude(pk=group.pk)
        .order_by("-updated", "-pk")
        .first()
    )
    if following is None:
        return ""
    return reverse("admin:semantic_search_duplicategroup_change", args=[following.pk])
