"""/review/: labels on images as reviewers see them: the queue, and approving or rejecting one
or many."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.filters import choice_param, id_param
from photodesk.api.serializers import (
    DecidedSerializer,
    DecisionSerializer,
    ReviewItemSerializer,
)
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.labels import service as labeling
from photodesk.models import ImageLabel, Label


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=[c for c, _ in ImageLabel.State.choices],
                description="Default: review (the queue).",
            ),
            OpenApiParameter("label", OpenApiTypes.STR, description="A label name or synonym."),
            OpenApiParameter("image", OpenApiTypes.INT),
        ],
        summary="The review queue: labels waiting for a person, largest label first",
    ),
)
class ReviewViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet):
    """Labels on images, as reviewers see them: approve or reject one or many."""

    action_perms = {
        "list": perms.REVIEW_LABELS,
        "retrieve": perms.REVIEW_LABELS,
        "approve": perms.REVIEW_LABELS,
        "reject": perms.REVIEW_LABELS,
        "decide": perms.REVIEW_LABELS,
    }
    serializer_class = ReviewItemSerializer

    def get_queryset(self):
        return ImageLabel.objects.select_related("label")

    def filter_list(self, queryset, params: QueryDict):
        state = choice_param(params, "state", ImageLabel.State.values, ImageLabel.State.REVIEW)
        queryset = queryset.filter(state=state, label__active=True)
        if params.get("label"):
            queryset = queryset.filter(label__in=Label.objects.named(params["label"]))
        image = id_param(params, "image", "An image id.")
        if image is not None:
            queryset = queryset.filter(image_id=image)
        # Largest label first (one decision pattern at a time), then most confident.
        return queryset.annotate(
            queue_size=Count("label__image_labels", filter=Q(label__image_labels__state=state))
        ).order_by("-queue_size", "label__name", "-confidence", "pk")

    def _decide(self, request: Request, rows: list[ImageLabel], decision: str) -> Response:
        state = ImageLabel.State.ACCEPTED if decision == "approve" else ImageLabel.State.REJECTED
        with transaction.atomic():
            # Each decision re-embeds and re-indexes its image after commit (a rejected
            # label's classes leave its vector), so the index never shows a rolled-back one.
            for row in rows:
                labeling.decide(row, state, request.user)
        for row in rows:
            row.refresh_from_db()
        data = ReviewItemSerializer(rows, many=True, context={"request": request}).data
        return Response({"decided": len(rows), "results": data})

    @extend_schema(request=None, responses=DecidedSerializer, summary="Approve")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, [self.get_object()], "approve")

    @extend_schema(request=None, responses=DecidedSerializer, summary="Reject")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, [self.get_object()], "reject")

    @extend_schema(
        request=DecisionSerializer,
        responses=DecidedSerializer,
        summary="Approve or reject many at once (all or nothing)",
    )
    @action(detail=False, methods=["post"])
    def decide(self, request: Request) -> Response:
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(serializer.validated_data["ids"]))
        rows = list(
            ImageLabel.objects.filter(pk__in=ids).select_related("label", "image").order_by("pk")
        )
        missing = sorted(set(ids) - {row.pk for row in rows})
        if missing:
            raise NotFound(f"No labels on images with ids {missing}; nothing was decided.")
        return self._decide(request, rows, serializer.validated_data["decision"])
