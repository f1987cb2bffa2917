"""/duplicates/: groups of copies of one picture; resolving one keeps an image, merges what
people said about the others into it, and deletes or links them (all or nothing)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.duplicate_serializers import DuplicateGroupSerializer, ResolveSerializer
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.duplicates import review
from photodesk.duplicates.merge import ResolveError, resolve
from photodesk.models import DuplicateGroup

READ = ("semantic_search.view_duplicategroup", *perms.READ_IMAGES)
RESOLVE = ("semantic_search.change_duplicategroup", *perms.EDIT_IMAGES)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "status", str, enum=DuplicateGroup.Status.values, description="open or resolved"
        )
    ]
)
class DuplicateGroupViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet):
    """Copies of one picture (resized, re-encoded, cropped, marked) found as photos arrive."""

    action_perms = {"list": READ, "retrieve": READ, "resolve_group": RESOLVE}
    serializer_class = DuplicateGroupSerializer

    def get_queryset(self):
        return (
            DuplicateGroup.objects.shown()
            .select_related("resolved_by")
            .prefetch_related("members")
            .order_by("status", "-updated", "-pk")
        )

    def filter_list(self, queryset, params):
        status = params.get("status")
        if status is None:
            return queryset
        if status not in DuplicateGroup.Status.values:
            raise ValidationError({"status": f"One of {', '.join(DuplicateGroup.Status.values)}."})
        return queryset.filter(status=status)

    @extend_schema(request=ResolveSerializer, responses=DuplicateGroupSerializer, summary="Resolve")
    @action(detail=True, methods=["post"], url_path="resolve", url_name="resolve")
    def resolve_group(self, request: Request, pk: str | None = None) -> Response:
        """Keep one image of the group: "delete" or "link" the others after merging their
        captions, tags, named people and words from use into it, or say they are "distinct".
        Deleting needs the permission to delete images."""
        group = self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not review.may_resolve(request.user, data["action"]):
            raise PermissionDenied("Your role does not allow deleting images.")
        try:
            group = resolve(group, data["keep"], data["action"], request.user)
        except ResolveError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(self.get_serializer(group).data)
