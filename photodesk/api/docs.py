"""The OpenAPI schema and its two readers, Swagger UI and ReDoc, behind API_SCHEMA_ACCESS.

A site routes them with `path("api/schema/", include("photodesk.api.docs"))`. By default
they are public with DEBUG (the demo, a developer's machine) and for signed-in staff only in
production: the schema lists every operation and parameter, which is a map for an attacker
and of no use to anonymous visitors. Swagger UI's and ReDoc's scripts are served by the site
itself when it sets drf-spectacular's *_DIST settings to "SIDECAR" (README, "REST API").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from photodesk.conf import photodesk_settings


def schema_access() -> str:
    """ "public", "staff" or "off": the setting, or by DEBUG when it is None."""
    access = photodesk_settings.API_SCHEMA_ACCESS
    if access is None:
        return "public" if settings.DEBUG else "staff"
    return access


class SchemaAccess(BasePermission):
    message = "The API schema is for staff users on this site."

    def has_permission(self, request: Any, view: Any) -> bool:
        access = schema_access()
        if access == "public":
            return True
        if access == "staff":
            return bool(request.user and request.user.is_staff)
        raise NotFound()  # "off", or a value it does not know (photodesk.W089): no such page


class SchemaView(SpectacularAPIView):
    permission_classes = [SchemaAccess]


class SwaggerView(SpectacularSwaggerView):
    permission_classes = [SchemaAccess]


class RedocView(SpectacularRedocView):
    permission_classes = [SchemaAccess]


app_name = "photodesk-docs"
urlpatterns = [
    path("", SchemaView.as_view(), name="schema"),
    path("swagger/", SwaggerView.as_view(url_name="photodesk-docs:schema"), name="swagger"),
    path("redoc/", RedocView.as_view(url_name="photodesk-docs:schema"), name="redoc"),
]
