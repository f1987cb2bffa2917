"""The "Suggested images" panel of an article editor in the Django admin.

A site adds it to its own article ModelAdmin with one mixin::

    from photodesk.admin import SuggestPanelMixin

    @admin.register(Article)
    class ArticleAdmin(SuggestPanelMixin, admin.ModelAdmin):
        raw_id_fields = ["lead_image"]

The form fields it reads and writes are PHOTODESK["ARTICLE_FIELDS"] (title, body, lead_image),
or the mixin's `suggest_*_field` attributes; "Insert into body" writes
PHOTODESK["ARTICLE_IMAGE_TOKEN"]. The panel reads images through photodesk.host, so nothing
here knows the site's models. The Wagtail panel (photodesk.contrib.wagtail.views) reuses its
forms, cards and JSON errors.

The mixin adds three admin views (each wrapped in `admin_site.admin_view`, so only active staff
reach them, and CSRF applies to the POST):

- POST suggest/            title + body of the article being written (saved or not)
- GET  suggest/search/?q=  a free query typed in the panel
- GET  suggest/similar/ID/ images like image ID ("More like this")

Cards show thumbnails from host().thumbnail_url (by default Photodesk's cached thumbnail view,
thumbnails.py). The views only validate input and shape the JSON; finding images is
photodesk.search.service's job. Only staff who may change (or add) articles use the panel; the
others get 403.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from photodesk.admin.crops import lead_crop
from photodesk.admin.widgets import LeadImageWidget
from photodesk.extras import installed
from photodesk.host import NOT_REUSABLE, host, short_text
from photodesk.models import ImageAnalysis
from photodesk.search import service as search
from photodesk.search.index.base import IndexUnavailable

DEFAULT_LIMIT = 12
MAX_LIMIT = 50
MAX_BODY_CHARS = 200_000


class PanelForm(forms.Form):
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)

    def clean_limit(self) -> int:
        return self.cleaned_data.get("limit") or DEFAULT_LIMIT


class ArticleTextForm(PanelForm):
    """The article as an editor holds it, saved or not: its text and current lead image (the
    Wagtail panel's form adds to it too)."""

    title = forms.CharField(required=False, max_length=1000)
    body = forms.CharField(required=False, max_length=MAX_BODY_CHARS, strip=False)
    lead_image = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = f"{data.get('title') or ''} {host().plain_text(data.get('body') or '')}"
        if not self.errors and not text.strip():
            raise forms.ValidationError("Write a title or some text to get suggestions.")
        return data


class SuggestForm(ArticleTextForm):
    """The article's text, and when editing a saved article its id."""

    article = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, article_model: type[models.Model], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.article_model = article_model

    def clean_article(self) -> int | None:
        pk = self.cleaned_data.get("article")
        if pk is not None and not self.article_model._default_manager.filter(pk=pk).exists():
            raise forms.ValidationError(f"There is no article {pk}.")
        return pk


class SearchForm(PanelForm):
    q = forms.CharField(max_length=500, error_messages={"required": "Type something to search."})


class VideoStillForm(forms.Form):
    video = forms.IntegerField(min_value=1)
    at = forms.FloatField(min_value=0, max_value=24 * 3600)


# Video moments a search shows beside the images (their frames can become stills).
VIDEO_MOMENTS = 4


def video_moments(query: str) -> list[dict[str, Any]]:
    """The best moments of videos for a query, as the panel offers them: reusable videos
    only, flagged shots left out; none when the site has no videos."""
    if host().video_model() is None or not installed("video"):
        return []
    from photodesk.search.video import search_videos

    filters = search.default_suggestion_filters()
    found = search_videos(query, limit=VIDEO_MOMENTS, filters=filters)
    return [result.as_dict() for result in found]


def suggested_video_moments(title: str, body: str) -> list[dict[str, Any]]:
    """Video shots for an article's text, as the panel offers them beside the photos (none
    unless videos_in_suggestions: SUGGEST_VIDEOS, or videos analysed on this site)."""
    if not installed("video"):
        return []
    from photodesk.search.video import suggest_videos_for_text, videos_in_suggestions

    if not videos_in_suggestions():
        return []
    found = suggest_videos_for_text(title, body, limit=VIDEO_MOMENTS)
    return [result.as_dict() for result in found]


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
    site = host()
    ids = [r.image.pk for r in results]
    metadata = dict(
        ImageAnalysis.objects.filter(image_id__in=ids).values_list("image_id", "photo_metadata")
    )
    in_body = in_body or set()
    out = []
    for result in results:
        image = result.image
        taken = _date_taken(metadata.get(image.pk) or {})
        added = _local_date(site.image_added(image))
        data = result.as_dict()
        data.update(
            {
                "reasons": [reason_dict(r) for r in data.get("reasons") or []],
                # A card shows the start of a caption; the image's page has all of it.
                "caption": short_text(data.get("caption")),
                "credit": site.image_credit(image),
                "date": (taken or added).isoformat() if (taken or added) else None,
                "date_kind": "taken" if taken else ("added" if added else None),
                "rights_label": site.rights_label(image),
                "width": getattr(image, "width", None),
                "height": getattr(image, "height", None),
                "thumbnail": site.thumbnail_url(image),
                "lead_crop": lead_crop(image.pk),
                "admin_url": site.image_admin_url(image),
                "in_article": _in_article(image.pk, lead_image, in_body),
                # The other frames of its series (a burst), behind "+N similar".
                "similar": cards(
                    getattr(result, "frames", []), lead_image=lead_image, in_body=in_body
                ),
            }
        )
        out.append(data)
    return out


def _in_article(image_id: int, lead_image: int | None, in_body: set[int]) -> str | None:
    if image_id == lead_image:
        return "lead"
    return "body" if image_id in in_body else None


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    if moment is None:
        return None
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


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
    """Leave out images the panel must never offer, whatever asked for them: flagged unsafe,
    or rights that forbid reuse (suggestions' default filters already do this)."""
    results = list(results)
    flagged = set(
        ImageAnalysis.objects.filter(
            image_id__in=[r.image.pk for r in results], flagged=True
        ).values_list("image_id", flat=True)
    )
    site = host()
    return [
        r
        for r in results
        if r.image.pk not in flagged and site.image_rights(r.image) not in NOT_REUSABLE
    ]


INDEX_UNAVAILABLE = "Image search is unavailable right now; try again soon."


def json_error(message: str, status: int, fields: dict | None = None) -> JsonResponse:
    payload: dict[str, Any] = {"error": message}
    if fields:
        payload["fields"] = fields
    return JsonResponse(payload, status=status)


def form_error(form: forms.Form) -> JsonResponse:
    messages = [e["message"] for errors in form.errors.get_json_data().values() for e in errors]
    return json_error(" ".join(messages), 400, form.errors.get_json_data())


class SuggestPanelMixin:
    """For a site's article ModelAdmin: the panel beside the form, its URLs, views and
    permission, and a lead image field with a preview."""

    # Form fields the panel reads (title, body) and writes (lead image, body); None: the
    # field of that role in PHOTODESK["ARTICLE_FIELDS"]. No lead image field: the cards'
    # "Use as lead image" is disabled.
    suggest_title_field: str | None = None
    suggest_body_field: str | None = None
    suggest_lead_image_field: str | None = None
    # A template of the site's own that extends this one keeps the panel.
    change_form_template = "semantic_search/suggest_change_form.html"

    @property
    def media(self) -> forms.Media:
        # A property, not a Media class: the site's ArticleAdmin may declare its own Media.
        return super().media + forms.Media(
            css={"all": ["semantic_search/suggest_panel.css"]},
            js=["semantic_search/suggest_panel.js"],
        )

    def suggest_field(self, role: str) -> str | None:
        """The form field of a role: title, body or lead_image."""
        name = getattr(self, f"suggest_{role}_field", None)
        return name or host().article_field_name(role)

    def has_suggest_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) or self.has_add_permission(request)

    def get_urls(self) -> list:
        def view(func: Callable) -> Callable:
            return self.admin_site.admin_view(self._panel_view(func))

        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("suggest/", view(self.suggest_view), name=f"{name}_suggest"),
            path("suggest/search/", view(self.search_view), name=f"{name}_search_images"),
            path(
                "suggest/similar/<int:image_id>/",
                view(self.similar_view),
                name=f"{name}_similar_images",
            ),
            path("suggest/video-still/", view(self.video_still_view), name=f"{name}_video_still"),
            *super().get_urls(),
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The lead image as a raw id (the panel writes an id into it; it scales to any archive)
        # with a preview of the chosen image.
        if db_field.name == self.suggest_field("lead_image"):
            kwargs["widget"] = LeadImageWidget(db_field.remote_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, *args, **kwargs):
        context["show_suggest_panel"] = self.has_suggest_permission(request)
        if context["show_suggest_panel"]:
            context["suggest_panel"] = self.suggest_panel_context(context)
        return super().render_change_form(request, context, *args, **kwargs)

    def suggest_panel_context(self, context: dict[str, Any]) -> dict[str, Any]:
        """What the panel's template renders into data attributes for the script."""
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        form = context["adminform"].form
        original = context.get("original")

        def field_id(role: str) -> str:
            field = self.suggest_field(role)
            return form[field].auto_id if field and field in form.fields else ""

        return {
            "suggest_url": reverse(f"{name}_suggest", current_app=self.admin_site.name),
            "search_url": reverse(f"{name}_search_images", current_app=self.admin_site.name),
            "similar_url": reverse(
                f"{name}_similar_images", args=[0], current_app=self.admin_site.name
            ),
            "still_url": reverse(f"{name}_video_still", current_app=self.admin_site.name),
            "article": original.pk if original is not None and original.pk else "",
            "title_id": field_id("title"),
            "body_id": field_id("body"),
            "lead_id": field_id("lead_image"),
            "image_token": host().image_token("{id}"),
        }

    def _panel_view(self, func: Callable) -> Callable:
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not self.has_suggest_permission(request):
                return json_error("You may not edit articles.", 403)
            try:
                return func(request, *args, **kwargs)
            except IndexUnavailable:
                return json_error(INDEX_UNAVAILABLE, 503)

        wrapped.__name__ = func.__name__
        return wrapped

    def suggest_view(self, request: HttpRequest) -> HttpResponse:
        return _suggest(request, self.model)

    def search_view(self, request: HttpRequest) -> HttpResponse:
        return _search(request)

    def similar_view(self, request: HttpRequest, image_id: int) -> HttpResponse:
        return _similar(request, image_id)

    def video_still_view(self, request: HttpRequest) -> HttpResponse:
        return _video_still(request)


@require_POST
def _suggest(request: HttpRequest, article_model: type[models.Model]) -> JsonResponse:
    form = SuggestForm(request.POST, article_model=article_model)
    if not form.is_valid():
        return form_error(form)
    data = form.cleaned_data
    body = data["body"] or ""
    # The text as it is in the editor, saved or not; nothing is saved here. The current lead
    # image is left out; images in the body are shown, marked.
    title, text = host().plain_text(data["title"] or ""), host().plain_text(body)
    results = search.suggest_for_text(
        title,
        text,
        limit=data["limit"],
        exclude_ids={data["lead_image"]} if data["lead_image"] else frozenset(),
    )
    in_body = host().images_in_text(body)
    return JsonResponse(
        {
            "kind": "suggestions",
            "results": cards(reusable(results), lead_image=data["lead_image"], in_body=in_body),
            "videos": suggested_video_moments(title, text),
        }
    )


@require_GET
def _search(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return form_error(form)
    query = form.cleaned_data["q"]
    results = search.search_images(
        query, limit=form.cleaned_data["limit"], filters=search.default_suggestion_filters()
    )
    return JsonResponse(
        {
            "kind": "search",
            "query": query,
            "results": cards(reusable(results)),
            "videos": video_moments(query),
        }
    )


@require_POST
def _video_still(request: HttpRequest) -> JsonResponse:
    """A video's frame becomes an image of the archive; answers its card."""
    form = VideoStillForm(request.POST)
    if not form.is_valid():
        return form_error(form)
    answer = make_still_card(form.cleaned_data["video"], form.cleaned_data["at"])
    if "image" in answer:
        answer.pop("still")
        return JsonResponse(answer, status=201)
    return json_error(answer["error"], answer["status"])


def make_still_card(video_id: int, at: float) -> dict[str, Any]:
    """Video `video_id`'s frame at `at` made an image of the archive: {"kind": "still",
    "image": its card, "still": the image}, or {"error", "status"} (nothing stored)."""
    model = host().video_model()
    video = model._default_manager.filter(pk=video_id).first() if model else None
    if video is None:
        return {"error": f"There is no video {video_id}.", "status": 404}
    if not installed("video"):
        message = 'Videos need the video extra: pip install "photodesk[video]".'
        return {"error": message, "status": 503}
    from photodesk.analysis.video.decode import InvalidVideo
    from photodesk.analysis.video.stills import make_still
    from photodesk.analysis.video.timeline import clock

    try:
        image = make_still(video, at)
    except InvalidVideo as exc:
        return {"error": str(exc), "status": 400}
    card = cards([search.Result(image=image, score=0.0)])[0]
    card["reasons"] = [
        {"kind": "video", "text": f"a still from “{host().video_title(video)}” at {clock(at)}"}
    ]
    return {"kind": "still", "image": card, "still": image}


@require_GET
def _similar(request: HttpRequest, image_id: int) -> JsonResponse:
    form = PanelForm(request.GET)
    if not form.is_valid():
        return form_error(form)
    image = host().image_model()._default_manager.filter(pk=image_id).first()
    if image is None:
        return json_error(f"There is no image {image_id}.", 404)
    limit = form.cleaned_data["limit"]
    # similar_images has no filters: ask for a few more and leave out what must not be reused.
    results = reusable(search.similar_images(image, limit=limit + 10))[:limit]
    return JsonResponse(
        {
            "kind": "similar",
            "image": {"id": image.pk, "title": host().image_title(image)},
            "results": cards(results),
        }
    )
