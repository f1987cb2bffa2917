"""/face-clusters/: unnamed faces grouped as probably one person; naming a cluster names its
faces."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.serializers import (
    AssignFaceSerializer,
    FaceClusterSerializer,
    NamedSerializer,
)
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.models import FaceCluster
from photodesk.people.decisions import name_cluster


class FaceClusterViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet):
    """Unnamed faces grouped as probably one person; naming a cluster names them all."""

    action_perms = {
        "list": perms.READ_PEOPLE,
        "retrieve": perms.READ_PEOPLE,
        "name_faces": perms.REVIEW_PEOPLE,
    }
    serializer_class = FaceClusterSerializer

    def get_queryset(self):
        return FaceCluster.objects.prefetch_related("faces__person").order_by("-updated", "-pk")

    @extend_schema(request=AssignFaceSerializer, responses=NamedSerializer, summary="Name")
    @action(detail=True, methods=["post"], url_path="name", url_name="name")
    def name_faces(self, request: Request, pk: str | None = None) -> Response:
        """Every face of the cluster is this person (faces where a reviewer said otherwise
        leave the cluster unnamed); the cluster goes."""
        cluster = self.get_object()
        serializer = AssignFaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        named = name_cluster(cluster, serializer.validated_data["person"], request.user)
        return Response({"named": named})
