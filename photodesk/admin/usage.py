"""Words from use on the image's admin page: the articles that lend it their words, each with
a button an editor uses to take them off (the row stays as a tombstone, usage.py).

The list sits inside the image's change form, so the button posts that form (its CSRF token
included) to its own URL with `formaction`: no nested form."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from photodesk import indexing, tasks
from photodesk.host import host
from photodesk.models import UsageWords
from photodesk.usage import remove_words

REMOVE_PERMISSION = "semantic_search.change_usagewords"


def may_remove(user: Any) -> bool:
    return user.has_perm(REMOVE_PERMISSION)


def usage_rows(image: Any) -> list[UsageWords]:
    """Every article's words on the image, removed ones too (they say who removed them)."""
    if image is None or image.pk is None:
        return []
    return list(UsageWords.objects.filter(image_id=image.pk).select_related("removed_by"))


def take_off(row: UsageWords, user: Any) -> bool:
    """Remove the row's words and refresh the image's vector and index entry after commit."""
    with transaction.atomic():
        removed = remove_words(row, user)
        if removed:
            indexing.mark_pending(row.image_id, indexed_only=True)
            transaction.on_commit(partial(tasks.enqueue_refresh, row.image_id), robust=True)
    return removed


@require_POST
def remove_usage_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_remove(request.user):
        return HttpResponseForbidden("You may not remove words from use.")
    row = get_object_or_404(UsageWords, pk=pk)
    if take_off(row, request.user):
        messages.success(request, f"Removed the words of “{row.title}” from this image.")
    back = host().image_admin_url(row.image) or "../"
    return HttpResponseRedirect(back)


@admin.action(description="Remove the selected words from their images", permissions=["change"])
def remove_selected(modeladmin, request, queryset) -> None:
    removed = sum(take_off(row, request.user) for row in queryset.filter(removed_at=None))
    modeladmin.message_user(request, f"Removed {removed} article(s)' words.", messages.SUCCESS)


@admin.register(UsageWords)
class UsageWordsAdmin(admin.ModelAdmin):
    list_display = ("image", "title", "removed_at", "removed_by", "updated")
    list_filter = ("removed_at",)
    search_fields = ("title", "summary")
    list_select_related = ("image", "removed_by")
    actions = [remove_selected]
    readonly_fields = [f.name for f in UsageWords._meta.fields if f.name != "id"]

    def has_add_permission(self, request) -> bool:
        return False  # rows come from articles
