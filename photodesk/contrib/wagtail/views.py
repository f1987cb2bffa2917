"""The JSON endpoints of the "Suggested images" panel (Wagtail admin URLs, so only people with
admin access reach them; register_admin_urls adds them under /admin/photodesk/):

- POST suggest/            the title and plain text of the page being written (saved or not)
- GET  search/?q=          a free query typed in the panel
- POST video-still/        a suggested video shot's frame made an image ("Use as lead image")

Finding images is photodesk.search.service's job; these views check the input and Wagtail's
permissions; the forms, cards and JSON errors are the admin panel's
(photodesk.admin.suggest_panel), with the chooser's preview added to each card.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from wagtail.images.models import SourceImageIOError

from photodesk.admin import suggest_panel as panel
from photodesk.admin.suggest_panel import INDEX_UNAVAILABLE, form_error, json_error
from photodesk.contrib.wagtail import permissions
from photodesk.search import service as search
from photodesk.search.index import Filters
from photodesk.search.index.base import IndexUnavailable

# The chooser widget's own preview size (wagtailimages/widgets/image_chooser.html).
CHOOSER_PREVIEW = "max-165x165"


class PanelForm(panel.PanelForm):
    # The page being edited (none while it is being created): Wagtail's permission to edit it.
    page = forms.IntegerField(required=False, min_value=1)


class SuggestForm(PanelForm, panel.ArticleTextForm):
    # Images in the page's body: left out, like its lead image.
    in_body = forms.CharField(required=False, max_length=5000)

    def clean_in_body(self) -> set[int]:
        raw = self.cleaned_data.get("in_body") or ""
        try:
            return {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            raise forms.ValidationError("in_body: image ids separated by commas.") from None


class SearchForm(PanelForm, panel.SearchForm):
    pass


class VideoStillForm(PanelForm, panel.VideoStillForm):
    pass


def panel_view(view, form_class: type[PanelForm], method: str):
    """Validate the form, check Wagtail's permissions, answer 503 when the index is down."""

    def wrapped(request: HttpRequest) -> HttpResponse:
        if request.method != method:
            return HttpResponseNotAllowed([method])
        form = form_class(request.POST if method == "POST" else request.GET)
        if not form.is_valid():
            return form_error(form)
        if not permissions.may_write(request.user, form.cleaned_data.get("page")):
            return json_error("You may not edit this page.", 403)
        filters = search.default_suggestion_filters()
        filters.include_ids = permissions.choosable_ids(request.user)
        try:
            return view(request, form.cleaned_data, filters)
        except IndexUnavailable:
            return json_error(INDEX_UNAVAILABLE, 503)

    wrapped.__name__ = view.__name__
    return wrapped


def suggest(request: HttpRequest, data: dict, filters: Filters) -> JsonResponse:
    shown = set(data["in_body"]) | ({data["lead_image"]} if data["lead_image"] else set())
    # The body is the plain text of the page's rich text, as the script reads it.
    results = search.suggest_for_text(
        data["title"], data["body"].strip(), limit=data["limit"], filters=filters, exclude_ids=shown
    )
    return JsonResponse(
        {
            "kind": "suggestions",
            "results": cards(results),
            "videos": panel.suggested_video_moments(data["title"], data["body"].strip()),
        }
    )


def search_images(request: HttpRequest, data: dict, filters: Filters) -> JsonResponse:
    results = search.search_images(data["q"], limit=data["limit"], filters=filters)
    return JsonResponse({"kind": "search", "query": data["q"], "results": cards(results)})


def video_still(request: HttpRequest, data: dict, filters: Filters) -> JsonResponse:
    """The admin panel's still (a new image of the archive), as a card with its preview;
    only for people who may add images."""
    if not permissions.may_add_images(request.user):
        return json_error("You may not add images.", 403)
    answer = panel.make_still_card(data["video"], data["at"])
    if "image" in answer:
        answer["image"]["preview"] = _preview(answer.pop("still"))
        return JsonResponse(answer, status=201)
    return JsonResponse({"error": answer["error"]}, status=answer["status"])


def _preview(image: Any) -> dict[str, Any]:
    preview = image.get_rendition(CHOOSER_PREVIEW)
    return {"url": preview.url, "width": preview.width, "height": preview.height}


def cards(results: list[Any]) -> list[dict[str, Any]]:
    """The admin panel's cards, with the preview Wagtail's image chooser shows once one is
    taken as the lead image."""
    previews, usable = {}, []
    for result in results:
        try:
            previews[result.image.pk] = result.image.get_rendition(CHOOSER_PREVIEW)
        except (SourceImageIOError, OSError, ValueError):
            continue  # a missing original: nothing a journalist could use
        usable.append(result)
    out = panel.cards(usable)
    frames = {f.image.pk: f.image for r in usable for f in getattr(r, "frames", [])}
    for card in out:
        preview = previews[card["id"]]
        card["preview"] = {"url": preview.url, "width": preview.width, "height": preview.height}
        # The other frames of its series: only those with a usable original.
        similar = []
        for frame in card.get("similar", []):
            try:
                preview = frames[frame["id"]].get_rendition(CHOOSER_PREVIEW)
            except (SourceImageIOError, OSError, ValueError):
                continue
            frame["preview"] = {
                "url": preview.url,
                "width": preview.width,
                "height": preview.height,
            }
            similar.append(frame)
        card["similar"] = similar
    return out


urlpatterns = [
    path("suggest/", panel_view(suggest, SuggestForm, "POST"), name="suggest"),
    path("search/", panel_view(search_images, SearchForm, "GET"), name="search"),
    path("video-still/", panel_view(video_still, VideoStillForm, "POST"), name="video_still"),
]
