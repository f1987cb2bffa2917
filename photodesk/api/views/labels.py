"""/labels/: the taxonomy. Everyone reads it, admins edit it."""

from __future__ import annotations

from django.db.models import Q
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from photodesk.api import permissions as perms
from photodesk.api.filters import bool_param, text_param
from photodesk.api.serializers import LabelSerializer
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.models import Label


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of the name or slug."),
            OpenApiParameter("active", OpenApiTypes.BOOL),
        ]
    ),
)
class LabelViewSet(PhotodeskViewSet, viewsets.ModelViewSet):
    """The taxonomy: everyone reads it, admins edit it."""

    action_perms = {
        "list": perms.READ_LABELS,
        "retrieve": perms.READ_LABELS,
        "create": ("semantic_search.add_label",),
        "update": ("semantic_search.change_label",),
        "partial_update": ("semantic_search.change_label",),
        "destroy": ("semantic_search.delete_label",),
    }
    serializer_class = LabelSerializer

    def get_queryset(self):
        return Label.objects.order_by("name")

    def filter_list(self, queryset, params: QueryDict):
        q = text_param(params, "q")
        if q:
            queryset = queryset.filter(Q(name__icontains=q) | Q(slug__icontains=q))
        active = bool_param(params, "active")
        if active is not None:
            queryset = queryset.filter(active=active)
        return queryset
