"""What every API view shares: who may call it (permissions.py), how often (throttles.py),
how lists are paged (pagination.py), how ids look in URLs, and how domain errors answer
(errors.py). A view only says which permissions, throttles and serializers each action has."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from photodesk.api.errors import as_api_error, uncaught
from photodesk.api.filters import ID
from photodesk.api.pagination import PhotodeskPagination
from photodesk.api.permissions import ActionPermission

# The classes below say what they do in comments, not docstrings: drf-spectacular would show a
# docstring as the description of every operation of every view built on them.


class PhotodeskView(APIView):
    # Every view of the API. The key of an action is the viewset's action ("list", "similar")
    # or, for a plain view, the request's method ("get", "post").

    permission_classes = [ActionPermission]
    pagination_class = PhotodeskPagination
    # The permissions each action needs (see permissions.ActionPermission).
    action_perms: ClassVar[dict[str, tuple[str, ...]]] = {}
    # The rates an action of a viewset counts against (expensive actions only); an action not
    # listed gets `throttle_classes` (the site's DEFAULT_THROTTLE_CLASSES unless the view says).
    action_throttles: ClassVar[dict[str, tuple[type[BaseThrottle], ...]]] = {}

    def action_key(self) -> str:
        return getattr(self, "action", None) or self.request.method.lower()

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = self.action_throttles.get(self.action_key())
        if throttles is None:
            return super().get_throttles()
        return [throttle() for throttle in throttles]

    def handle_exception(self, exc: Exception) -> Response:
        try:
            return super().handle_exception(as_api_error(exc))
        except Exception as error:  # no handler answered it: a bug or an outage
            if settings.DEBUG:
                raise  # Django's debug page, with the traceback
            return uncaught(self.request, error)

    def paginated(self, rows: list[Any]) -> Response:
        # Search-like answers (lists of dicts, not querysets) are paged like every list.
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, self.request, view=self)
        return paginator.get_paginated_response(page)


class PhotodeskViewSet(PhotodeskView, viewsets.GenericViewSet):
    # A resource: objects addressed by an id of at most 18 digits (a huge number is a 404, not
    # a database overflow), the list narrowed by its query parameters (filter_list).

    lookup_value_regex = ID
    # The serializer of an action when it is not `serializer_class`.
    action_serializers: ClassVar[dict[str, type[BaseSerializer]]] = {}

    def get_serializer_class(self) -> type[BaseSerializer]:
        return self.action_serializers.get(self.action) or super().get_serializer_class()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Query parameters narrow the list only: a detail URL names its object whatever the
        # query string says.
        if self.action == "list":
            return self.filter_list(queryset, self.request.query_params)
        return queryset

    def filter_list(self, queryset: QuerySet, params: QueryDict) -> QuerySet:
        return queryset
