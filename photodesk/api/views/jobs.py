"""/analyses/: the analysis job of each image (addressed by the image's id), and re-running
one."""

from __future__ import annotations

from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.filters import choice_param
from photodesk.api.serializers import AnalysisSerializer
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.models import ImageAnalysis
from photodesk.tasks import enqueue_analysis


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=[c for c, _ in ImageAnalysis.Status.choices]
            )
        ],
        summary="Analysis jobs, most recently changed first",
    ),
    retrieve=extend_schema(summary="One image's analysis job: state, error, timings"),
)
class AnalysisViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet):
    """Analysis jobs, addressed by their image's id."""

    action_perms = {
        "list": perms.READ_ANALYSES,
        "retrieve": perms.READ_ANALYSES,
        "rerun": (*perms.READ_ANALYSES, *perms.RERUN_ANALYSES),
    }
    serializer_class = AnalysisSerializer
    lookup_field = "image_id"
    lookup_url_kwarg = "image"

    def get_queryset(self):
        return ImageAnalysis.objects.order_by("-updated", "-pk")

    def filter_list(self, queryset, params: QueryDict):
        wanted = choice_param(params, "status", ImageAnalysis.Status.values)
        return queryset.filter(status=wanted) if wanted else queryset

    @extend_schema(request=None, responses={202: AnalysisSerializer}, summary="Re-run")
    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, image: str | None = None) -> Response:
        """Analyse the image again (even if its file did not change); 202 with the job."""
        analysis = self.get_object()
        enqueue_analysis(analysis.image_id, force=True)
        analysis.refresh_from_db()
        return Response(
            AnalysisSerializer(analysis, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )
