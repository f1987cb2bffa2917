"""The "Suggested images" panel of the article editor: its JSON endpoints and thumbnails.

`SuggestPanelMixin` adds four admin views to ArticleAdmin (each wrapped in
`admin_site.admin_view`, so only active staff reach them, and CSRF applies to the POST):

- POST suggest/            title + body of the article being written (saved or not)
- GET  suggest/search/?q=  a free query typed in the panel
- GET  suggest/similar/ID/ images like image ID ("More like this")
- GET  suggest/thumbnail/ID/  a small cached JPEG of image ID

The views only validate input and shape the JSON; finding images is photodesk.search.service's
job. Only staff who may change (or add) articles use the panel; the others get 403. Thumbnails
need the permission to view articles or images.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET, require_POST

from cms_images.models import Article, Image
from cms_images.renditions import RenditionError, rendition_name, thumbnail_bytes
from cms_images.usage import IMAGE_TOKEN, images_in_body
from photodesk.host import NOT_REUSABLE
from photodesk.models import ImageAnalysis
from photodesk.search import service as search
from photodesk.search.index import Filters
from photodesk.search.index.base import IndexUnavailable

DEFAULT_LIMIT = 12
MAX_LIMIT = 50
MAX_BODY_CHARS = 200_000
# NOT_REUSABLE rights are kept out of every list the panel shows, whatever asked for it (the
# search service's suggestion defaults already do this for suggestions).
THUMBNAIL_MAX_AGE = 24 * 3600


class PanelForm(forms.Form):
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or DEFAULT_LIMIT


class SuggestForm(PanelForm):
    title = forms.CharField(required=False, max_length=1000)
    body = forms.CharField(required=False, max_length=MAX_BODY_CHARS, strip=False)
    article = forms.IntegerField(required=False, min_value=1)
    lead_image = forms.IntegerField(required=False, min_value=1)

    def clean_article(self) -> int | None:
        pk = self.cleaned_data.get("article")
        if pk is not None and not Article.objects.filter(pk=pk).exists():
            raise forms.ValidationError(f"There is no article {pk}.")
        return pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = f"{data.get('title') or ''} {strip_image_tokens(data.get('body') or '')}"
        if not self.errors and not text.strip():
            raise forms.ValidationError("Write a title or some text to get suggestions.")
        return data


class SearchForm(PanelForm):
    q = forms.CharField(max_length=500, error_messages={"required": "Type something to search."})


def thumbnail_url(image_id: int) -> str:
    return reverse("admin:cms_images_article_thumbnail", args=[image_id])


def strip_image_tokens(body: str) -> str:
    """What "Insert into body" writes is markup, not words: it never goes into a query."""
    return IMAGE_TOKEN.sub(" ", body)


def image_ids_in(body: str) -> set[int]:
    return set(images_in_body(body))


def reason_dict(reason: Any) -> dict[str, str]:
    """Reasons are plain strings today; structured {"kind", "text"} dicts are accepted too."""
    if isinstance(reason, dict):
        text = reason.get("text") or reason.get("label") or str(reason)
        return {"kind": str(reason.get("kind") or "match"), "text": str(text)}
    return {"kind": "match", "text": str(reason)}


def cards(
    results: Iterable[Any], *, lead_image: int | None = None, in_body: set[int] | None = None
) -> list[dict[str, Any]]:
    """Results as the panel shows them: as_dict() plus what a journalist needs to choose."""
    results = list(results)
    ids = [r.image.pk for r in results]
    metadata = dict(
        ImageAnalysis.objects.filter(image_id__in=ids).values_list("image_id", "photo_metadata")
    )
    in_body = in_body or set()
    out = []
    for result in results:
        image = result.image
        taken = _date_taken(metadata.get(image.pk) or {})
        data = result.as_dict()
        data.update(
            {
                "reasons": [reason_dict(r) for r in data.get("reasons") or []],
                "credit": image.credit,
                "date": (taken or timezone.localdate(image.created)).isoformat(),
                "date_kind": "taken" if taken else "added",
                "rights_label": image.get_rights_display(),
                "width": image.width,
                "height": image.height,
                "thumbnail": thumbnail_url(image.pk),
                "admin_url": reverse("admin:cms_images_image_change", args=[image.pk]),
                "in_article": _in_article(image.pk, lead_image, in_body),
            }
        )
        out.append(data)
    return out


def _in_article(image_id: int, lead_image: int | None, in_body: set[int]) -> str | None:
    if image_id == lead_image:
        return "lead"
    return "body" if image_id in in_body else None


def _date_taken(photo_metadata: dict[str, Any]) -> dt.date | None:
    value = photo_metadata.get("date_taken") or photo_metadata.get("date_created")
    if not isinstance(value, str):
        return None
    digits = re.match(r"(\d{4})[:-]?(\d{2})[:-]?(\d{2})", value.strip())
    if not digits:
        return None
    try:
        return dt.date(*(int(part) for part in digits.groups()))
    except ValueError:
        return None


def reusable(results: Iterable[Any]) -> list[Any]:
    """Leave out images the panel must never offer: flagged unsafe or not to be reused."""
    results = list(results)
    flagged = set(
        ImageAnalysis.objects.filter(
            image_id__in=[r.image.pk for r in results], flagged=True
        ).values_list("image_id", flat=True)
    )
    return [r for r in results if r.image.pk not in flagged and r.image.rights not in NOT_REUSABLE]


def panel_filters() -> Filters:
    choices = [value for value, _ in Image.Rights.choices]
    return Filters(rights_in=set(choices) - set(NOT_REUSABLE), exclude_flagged=True)


def json_error(message: str, status: int, fields: dict | None = None) -> JsonResponse:
    payload: dict[str, Any] = {"error": message}
    if fields:
        payload["fields"] = fields
    return JsonResponse(payload, status=status)


def form_error(form: forms.Form) -> JsonResponse:
    messages = [e["message"] for errors in form.errors.get_json_data().values() for e in errors]
    return json_error(" ".join(messages), 400, form.errors.get_json_data())


class SuggestPanelMixin:
    """For the Article ModelAdmin: the panel's URLs, views and permission."""

    def has_suggest_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) or self.has_add_permission(request)

    def get_urls(self) -> list:
        def view(func: Callable, cacheable: bool = False) -> Callable:
            return self.admin_site.admin_view(
                self._panel_view(func, self.has_suggest_permission), cacheable=cacheable
            )

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("suggest/", view(self.suggest_view), name=f"{name}_suggest"),
            path("suggest/search/", view(self.search_view), name=f"{name}_search_images"),
            path(
                "suggest/similar/<int:image_id>/",
                view(self.similar_view),
                name=f"{name}_similar_images",
            ),
            path(
                "suggest/thumbnail/<int:image_id>/",
                self.admin_site.admin_view(
                    self._panel_view(self.thumbnail_view, self.has_thumbnail_permission),
                    cacheable=True,
                ),
                name=f"{name}_thumbnail",
            ),
        ] + super().get_urls()

    def has_thumbnail_permission(self, request: HttpRequest) -> bool:
        # The panel's thumbnails also appear in the article list and read-only forms.
        image_opts = Image._meta
        if self.has_suggest_permission(request) or self.has_view_permission(request):
            return True
        return request.user.has_perm(f"{image_opts.app_label}.view_{image_opts.model_name}")

    def _panel_view(self, func: Callable, permission: Callable) -> Callable:
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not permission(request):
                return json_error("You may not edit articles.", 403)
            try:
                return func(request, *args, **kwargs)
            except IndexUnavailable:
                return json_error("Image search is unavailable right now; try again soon.", 503)

        wrapped.__name__ = func.__name__
        return wrapped

    def suggest_view(self, request: HttpRequest) -> HttpResponse:
        return _suggest(request)

    def search_view(self, request: HttpRequest) -> HttpResponse:
        return _search(request)

    def similar_view(self, request: HttpRequest, image_id: int) -> HttpResponse:
        return _similar(request, image_id)

    def thumbnail_view(self, request: HttpRequest, image_id: int) -> HttpResponse:
        return _thumbnail(request, image_id)


@require_POST
def _suggest(request: HttpRequest) -> JsonResponse:
    form = SuggestForm(request.POST)
    if not form.is_valid():
        return form_error(form)
    data = form.cleaned_data
    body = data["body"] or ""
    # An unsaved Article carries the text being written (and, when editing, the article's id
    # and lead image, which suggestions leave out); nothing is saved here.
    article = Article(
        pk=data["article"],
        title=data["title"],
        body=strip_image_tokens(body),
        lead_image_id=data["lead_image"],
    )
    results = search.suggest_for_article(article, limit=data["limit"])
    return JsonResponse(
        {
            "kind": "suggestions",
            "results": cards(
                reusable(results), lead_image=data["lead_image"], in_body=image_ids_in(body)
            ),
        }
    )


@require_GET
def _search(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return form_error(form)
    query = form.cleaned_data["q"]
    results = search.search_images(query, limit=form.cleaned_data["limit"], filters=panel_filters())
    return JsonResponse({"kind": "search", "query": query, "results": cards(reusable(results))})


@require_GET
def _similar(request: HttpRequest, image_id: int) -> JsonResponse:
    form = PanelForm(request.GET)
    if not form.is_valid():
        return form_error(form)
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return json_error(f"There is no image {image_id}.", 404)
    limit = form.cleaned_data["limit"]
    # similar_images has no filters: ask for a few more and leave out what must not be reused.
    results = reusable(search.similar_images(image, limit=limit + 10))[:limit]
    return JsonResponse(
        {
            "kind": "similar",
            "image": {"id": image.pk, "title": str(image)},
            "results": cards(results),
        }
    )


@require_GET
def _thumbnail(request: HttpRequest, image_id: int) -> HttpResponse:
    image = Image.objects.filter(pk=image_id).first()
    if image is None or not image.file:
        return HttpResponse(status=404)
    etag = quote_etag(rendition_name(image).rsplit("/", 1)[-1])
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        try:
            response = HttpResponse(thumbnail_bytes(image), content_type="image/jpeg")
        except RenditionError:
            return HttpResponse(status=404)
    response["ETag"] = etag
    # Private: the view is permission-checked, so shared caches must not keep it.
    response["Cache-Control"] = f"private, max-age={THUMBNAIL_MAX_AGE}"
    return response
