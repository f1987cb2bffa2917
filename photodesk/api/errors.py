"""How failures reach API clients: the site's JSON 404 under /api/, and the domain's errors
turned into the HTTP answers the OpenAPI schema documents (see schema.py)."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.exceptions import APIException

from photodesk.search.by_face import FaceRecognitionOff
from photodesk.search.index.base import IndexUnavailable


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """The site's 404 handler: JSON under /api/ (clients parse it), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


class SearchUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Search is unavailable for a moment (the index cannot be reached)."
    default_code = "search_unavailable"


class FaceSearchUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Face search is switched off on this site."
    default_code = "face_search_unavailable"


class ArticleSuggestionsOff(APIException):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = (
        "Suggestions for stored articles are off on this site: it names no article model "
        "(PHOTODESK['ARTICLE_MODEL']). POST the article's text to /suggestions/ instead."
    )
    default_code = "article_suggestions_off"


def as_api_error(exc: Exception) -> Exception:
    """The answer a client gets for `exc`: a domain error the client cannot fix becomes its
    API exception (503); anything else is left as it is for DRF's exception handler."""
    if isinstance(exc, IndexUnavailable):
        return SearchUnavailable()
    if isinstance(exc, FaceRecognitionOff):  # the site switched face recognition off
        return FaceSearchUnavailable(str(exc))
    return exc
