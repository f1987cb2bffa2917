"""The admin's thumbnail of an image: a small cached JPEG (renditions.py), for the suggest
panel's cards, the lead image preview and any list that shows images.

Served at admin:semantic_search_thumbnail (ImageAnalysisAdmin's URLs), so the admin site's
login applies; the view itself asks for the right to see images or articles.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import quote_etag
from django.views.decorators.http import require_GET

from photodesk.admin.renditions import RenditionError, rendition_name, thumbnail_bytes
from photodesk.host import host

THUMBNAIL_MAX_AGE = 24 * 3600


def may_see_thumbnails(user: Any) -> bool:
    """Those who may see images, or read or write articles (the article list shows them)."""
    image_opts = host().image_model()._meta
    if user.has_perm(f"{image_opts.app_label}.view_{image_opts.model_name}"):
        return True
    article = host().article_model()
    if article is None:
        return False
    opts = article._meta
    return any(
        user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("view", "change", "add")
    )


@require_GET
def thumbnail_view(request: HttpRequest, image_id: int) -> HttpResponse:
    if not may_see_thumbnails(request.user):
        return HttpResponse(status=403)
    image = host().image_model().objects.filter(pk=image_id).first()
    if image is None or not host().image_file(image):
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
