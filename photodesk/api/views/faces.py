"""/faces/: faces found in images; reviewers say who they are (or who they are not)."""

from __future__ import annotations

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.filters import choice_param, id_param
from photodesk.api.serializers import AssignFaceSerializer, FaceSerializer
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.models import Face
from photodesk.people.decisions import assign_face, reject_face


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("person", OpenApiTypes.INT),
            OpenApiParameter("image", OpenApiTypes.INT),
            OpenApiParameter("state", OpenApiTypes.STR, enum=[c for c, _ in Face.State.choices]),
        ],
        summary="Faces (`?state=review` is the faces waiting for a reviewer)",
    ),
)
class FaceViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet):
    """Faces found in images; reviewers say who they are."""

    action_perms = {
        "list": perms.READ_PEOPLE,
        "retrieve": perms.READ_PEOPLE,
        "assign": perms.REVIEW_PEOPLE,
        "reject": perms.REVIEW_PEOPLE,
    }
    serializer_class = FaceSerializer

    def get_queryset(self):
        return Face.objects.select_related("person").order_by("-pk")

    def filter_list(self, queryset, params: QueryDict):
        for name in ("person", "image"):
            pk = id_param(params, name)
            if pk is not None:
                queryset = queryset.filter(**{f"{name}_id": pk})
        state = choice_param(params, "state", Face.State.values)
        return queryset.filter(state=state) if state else queryset

    @extend_schema(request=AssignFaceSerializer, responses=FaceSerializer, summary="Name a face")
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """This face is that person (confirmed; also how a proposed name is accepted)."""
        face = self.get_object()
        serializer = AssignFaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        face = assign_face(face, serializer.validated_data["person"], request.user)
        return Response(FaceSerializer(self.get_queryset().get(pk=face.pk)).data)

    @extend_schema(request=None, responses=FaceSerializer, summary="Not this person")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """The face is not its current person; that person is never proposed for it again."""
        face = self.get_object()
        try:
            face = reject_face(face, request.user)
        except ValueError as exc:
            raise ValidationError({"person": [str(exc)]}) from exc
        return Response(FaceSerializer(self.get_queryset().get(pk=face.pk)).data)
