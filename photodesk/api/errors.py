"""How failures reach API clients: the site's JSON 404 and 500 under /api/, the domain's errors
turned into the HTTP answers the OpenAPI schema documents (see schema.py), and an unexpected
error inside a view answered with JSON and logged with its traceback."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.utils.log import log_response
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from photodesk.search.by_face import FaceRecognitionOff
from photodesk.search.index.base import IndexUnavailable


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """The site's 404 handler: JSON under /api/ (clients parse it), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


SERVER_ERROR = {
    "detail": "A server error occurred; it was logged. Try again, or tell the site's admins.",
    "code": "server_error",
}


def server_error(request: Any) -> Any:
    """The site's 500 handler (handler500): JSON under /api/, the usual page elsewhere.
    Django has already logged the error with its traceback (logger django.request)."""
    if request.path.startswith("/api/"):
        return JsonResponse(SERVER_ERROR, status=500)
    return html_server_error(request)


def uncaught(request: Any, exc: Exception) -> Response:
    """An API view failed unexpectedly: a JSON 500 for the client, and the traceback logged
    on django.request, as Django logs every other 500 (once: the response is marked
    logged)."""
    response = Response(SERVER_ERROR, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    log_response(
        "Internal Server Error: %s",
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response


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
