"""The crops editor: the image with its focal region, dragged (moved, resized, or centred
where one clicks) while the crop of every named ratio follows; saved for the image (and into
Wagtail's focal point on a Wagtail site). Also the cropped renditions, served to the admin.

Served from FocalRegionAdmin's URLs, so the admin site's login applies; the views ask for the
right to see images (and to change them, to save).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET

from photodesk.admin.thumbnails import may_see_thumbnails
from photodesk.conf import photodesk_settings
from photodesk.crops import store
from photodesk.crops.focal import face_weights
from photodesk.crops.geometry import Box, crop_window, parse_ratio
from photodesk.crops.renditions import RenditionError, crop_bytes, rendition_name
from photodesk.host import host
from photodesk.models import FocalRegion

RENDITION_MAX_AGE = 24 * 3600
# The editor's picture: the whole image at this long side (a rendition like the crops').
EDITOR_SIZE = 960
ORIGINAL = "original"
# The suggest panel's lead crop: sharp at the card's width on a 2x screen.
PANEL_SIZE = 320


def _perm(action: str) -> str:
    opts = host().image_model()._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def _image(request: HttpRequest, image_id: int, action: str = "view") -> Any:
    # Seeing crops is seeing thumbnails (article editors too: the panel previews the lead
    # crop); changing the focal region is changing the image.
    allowed = may_see_thumbnails(request.user) if action == "view" else None
    if not (allowed or request.user.has_perm(_perm(action))):
        raise PermissionDenied
    image = host().image_model().objects.filter(pk=image_id).first()
    if image is None or not host().image_file(image):
        raise Http404("No such image")
    return image


def _region(image: Any) -> FocalRegion:
    try:
        return store.ensure(image)
    except RenditionError as exc:
        raise Http404(str(exc)) from exc


def crop_url(image_id: int, ratio: str, size: int | None = None) -> str:
    url = reverse("admin:semantic_search_crop", args=[image_id, store.slug(ratio)])
    return f"{url}?size={size}" if size else url


def lead_crop(image_id: int) -> dict[str, str] | None:
    """The crop an article's lead image is shown in (CROP_PREVIEW_RATIO), for the suggest
    panel's cards; None where the site does not serve the admin."""
    ratio = photodesk_settings.CROP_PREVIEW_RATIO
    try:
        return {"ratio": ratio, "url": crop_url(image_id, ratio, PANEL_SIZE)}
    except NoReverseMatch:
        return None


@require_GET
def crop_view(request: HttpRequest, image_id: int, ratio: str) -> HttpResponse:
    """The image cut to `ratio` ("16x9"), or the whole image ("original"), as a JPEG."""
    image = _image(request, image_id)
    region = _region(image)
    name = None if ratio == ORIGINAL else store.configured_ratio(ratio)
    if ratio != ORIGINAL and name is None:
        raise Http404("No such ratio")
    try:
        size = store.rendition_size(request.GET.get("size"))
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    if name is None:
        box = Box(0, 0, region.image_width, region.image_height)
    else:
        box = store.crop_box(region, name)
    etag = quote_etag(rendition_name(image, box, size).rsplit("/", 1)[-1])
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        try:
            data = crop_bytes(image, box, (region.image_width, region.image_height), size)
        except RenditionError as exc:
            raise Http404(str(exc)) from exc
        response = HttpResponse(data, content_type="image/jpeg")
    response["ETag"] = etag
    # Private: the view is permission-checked, so shared caches must not keep it.
    response["Cache-Control"] = f"private, max-age={RENDITION_MAX_AGE}"
    return response


@require_GET
def preview_view(request: HttpRequest, image_id: int) -> JsonResponse:
    """The crops a focal region ?box=x,y,w,h would give, nothing saved (the editor's live
    preview while a person drags)."""
    image = _image(request, image_id)
    region = _region(image)
    try:
        x, y, w, h = (float(v) for v in request.GET.get("box", "").split(","))
    except ValueError:
        return JsonResponse({"error": "box is x,y,width,height in pixels"}, status=400)
    focal = Box(x, y, w, h).clamp(region.image_width, region.image_height)
    faces = store.faces_of(image)
    boxes, weights = [f.box for f in faces], face_weights(faces)
    crops = {
        ratio: crop_window(
            region.image_width,
            region.image_height,
            float(parse_ratio(ratio)),
            focal,
            boxes,
            weights,
        ).rounded()
        for ratio in photodesk_settings.CROP_RATIOS
    }
    return JsonResponse({"crops": crops})


def editor_view(request: HttpRequest, image_id: int, admin_site: Any) -> HttpResponse:
    image = _image(request, image_id)
    may_edit = request.user.has_perm(_perm("change"))
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if "reset" in request.POST:
            try:
                store.reset(image)
            except RenditionError as exc:
                raise Http404(str(exc)) from exc
            messages.success(request, "The focal region is found automatically again.")
            return redirect(request.path)
        region = _region(image)
        try:
            box = [float(request.POST.get(k, "")) for k in ("x", "y", "width", "height")]
            store.set_by_person(image, box, (region.image_width, region.image_height), request.user)
        except (ValueError, store.FocalRegionError) as exc:
            messages.error(request, f"Not saved: {exc}")
        else:
            messages.success(request, "Focal region saved; the crops follow it.")
        return redirect(request.path)
    region = _region(image)
    faces = store.faces_of(image)
    context = {
        **admin_site.each_context(request),
        "title": f"Crops of {host().image_title(image)}",
        "image": image,
        "region": region,
        "may_edit": may_edit,
        "editor_url": crop_url(image.pk, ORIGINAL, EDITOR_SIZE),
        "crops": [
            {
                "ratio": ratio,
                "slug": store.slug(ratio),
                "box": box.rounded(),
                "url": f"{crop_url(image.pk, ratio, 320)}",
                "aspect": ratio.replace(":", " / "),
            }
            for ratio, box in store.crops(region).items()
        ],
        "config": {
            "width": region.image_width,
            "height": region.image_height,
            "box": region.box,
            "faces": [f.box.rounded() for f in faces],
            "preview": reverse("admin:semantic_search_crops_preview", args=[image.pk]),
            "editable": may_edit,
        },
        "image_admin_url": host().image_admin_url(image),
    }
    return TemplateResponse(request, "semantic_search/crops_editor.html", context)


@admin.register(FocalRegion)
class FocalRegionAdmin(admin.ModelAdmin):
    list_display = ("image", "source", "basis", "edited_by", "updated")
    list_filter = ("source", "basis")
    list_select_related = ("image", "edited_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # edited in the crops editor, which the change link opens

    def change_view(self, request, object_id, form_url="", extra_context=None):
        region = FocalRegion.objects.filter(pk=object_id).first()
        if region is None:
            raise Http404
        return redirect("admin:semantic_search_crops", region.image_id)

    def get_urls(self) -> list:
        site = self.admin_site

        def editor(request, image_id: int):
            return editor_view(request, image_id, site)

        return [
            path("image/<int:image_id>/", site.admin_view(editor), name="semantic_search_crops"),
            path(
                "image/<int:image_id>/preview/",
                site.admin_view(preview_view),
                name="semantic_search_crops_preview",
            ),
            path(
                "image/<int:image_id>/<str:ratio>/",
                site.admin_view(crop_view, cacheable=True),
                name="semantic_search_crop",
            ),
            *super().get_urls(),
        ]
