"""The JSON endpoints of the "Suggested images" panel (Wagtail admin URLs, so only people with
admin access reach them; register_admin_urls adds them under /admin/photodesk/):

- POST suggest/            the title and plain text of the page being written (saved or not)
- GET  search/?q=          a free query typed in the panel

Finding images is photodesk.search.service's job; these views check the input and the
permissions, and shape the cards (Wagtail renditions, chooser data).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from wagtail.images.models import SourceImageIOError

from photodesk.contrib.wagtail import permissions
from photodesk.contrib.wagtail.host import WagtailHost
from photodesk.search import service as search
from photodesk.search.index import Filters
from photodesk.search.index.base import IndexUnavailable

DEFAULT_LIMIT = 12
MAX_LIMIT = 50
MAX_BODY_CHARS = 200_000
# The chooser widget's own preview size (wagtailimages/widgets/image_chooser.html).
CHOOSER_PREVIEW = "max-165x165"
host = WagtailHost()


class PanelForm(forms.Form):
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)
    page = forms.IntegerField(required=False, min_value=1)

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or DEFAULT_LIMIT


class SuggestForm(PanelForm):
    title = forms.CharField(required=False, max_length=1000)
    body = forms.CharField(required=False, max_length=MAX_BODY_CHARS)
    # Images the page already shows (lead image, body): left out, marked if found.
    lead_image = forms.IntegerField(required=False, min_value=1)
    in_body = forms.CharField(required=False, max_length=5000)

    def clean_in_body(self) -> set[int]:
        raw = self.cleaned_data.get("in_body") or ""
        try:
            return {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            raise forms.ValidationError("in_body: image ids separated by commas.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not f"{data.get('title')} {data.get('body')}".strip():
            raise forms.ValidationError("Write a title or some text to get suggestions.")
        return data


class SearchForm(PanelForm):
    q = forms.CharField(max_length=500, error_messages={"required": "Type something to search."})


def json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def form_error(form: forms.Form) -> JsonResponse:
    messages = [e["message"] for errors in form.errors.get_json_data().values() for e in errors]
    return json_error(" ".join(messages), 400)


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
            return json_error("Image search is unavailable right now; try again soon.", 503)

    wrapped.__name__ = view.__name__
    return wrapped


def suggest(request: HttpRequest, data: dict, filters: Filters) -> JsonResponse:
    shown = set(data["in_body"]) | ({data["lead_image"]} if data["lead_image"] else set())
    results = search.suggest_for_text(
        data["title"], data["body"], limit=data["limit"], filters=filters, exclude_ids=shown
    )
    return JsonResponse({"kind": "suggestions", "results": cards(results)})


def search_images(request: HttpRequest, data: dict, filters: Filters) -> JsonResponse:
    results = search.search_images(data["q"], limit=data["limit"], filters=filters)
    return JsonResponse({"kind": "search", "query": data["q"], "results": cards(results)})


def cards(results: list[Any]) -> list[dict[str, Any]]:
    """What the panel shows of each result, and what the image chooser needs to take it."""
    out = []
    for result in results:
        image = result.image
        try:
            preview = image.get_rendition(CHOOSER_PREVIEW)
        except (SourceImageIOError, OSError, ValueError):
            continue  # a missing original: nothing a journalist could use
        out.append(
            {
                "id": image.pk,
                "title": host.image_title(image),
                "reasons": [reason.as_dict() for reason in result.reasons],
                "credit": host.image_credit(image),
                "width": image.width,
                "height": image.height,
                "thumbnail": host.thumbnail_url(image),
                "edit_url": host.image_admin_url(image),
                "preview": {"url": preview.url, "width": preview.width, "height": preview.height},
            }
        )
    return out


urlpatterns = [
    path("suggest/", panel_view(suggest, SuggestForm, "POST"), name="suggest"),
    path("search/", panel_view(search_images, SearchForm, "GET"), name="search"),
]
