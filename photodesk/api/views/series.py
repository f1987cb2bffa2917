"""/series/: bursts (frames of one scene seconds apart), each frame's score and its parts,
the best frame; an editor may choose another. /images/{id}/series/: the series of one image."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.views.base import PhotodeskView, PhotodeskViewSet
from photodesk.host import get_image_model
from photodesk.models import Series
from photodesk.series.grouping import choose_best
from photodesk.series.queries import series_dict, series_info


class FrameSerializer(serializers.Serializer):
    image_id = serializers.IntegerField()
    best = serializers.BooleanField()
    current = serializers.BooleanField()
    score = serializers.FloatField(allow_null=True)
    parts = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="sharpness, exposure, face_size, eyes_open, smile: each 0-1, or null when "
        "the series has nothing to measure it on (no faces).",
    )
    similarity = serializers.FloatField(allow_null=True)
    taken_at = serializers.DateTimeField(allow_null=True)


class SeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    size = serializers.IntegerField()
    best_id = serializers.IntegerField(allow_null=True)
    best_chosen = serializers.BooleanField(help_text="An editor chose the best frame.")
    camera = serializers.CharField(allow_blank=True)
    started = serializers.DateTimeField(allow_null=True)
    ended = serializers.DateTimeField(allow_null=True)
    frames = FrameSerializer(many=True)

    def to_representation(self, instance):
        return series_dict(instance) if isinstance(instance, Series) else instance


class ChooseBestSerializer(serializers.Serializer):
    image = serializers.IntegerField(help_text="A frame of this series.")


class SeriesViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet):
    # Series of frames with the parts of each frame's score; choosing the best is an edit of
    # the images.
    action_perms = {
        "list": perms.READ_IMAGES,
        "retrieve": perms.READ_IMAGES,
        "choose_best": perms.EDIT_IMAGES,
    }
    serializer_class = SeriesSerializer

    def get_queryset(self):
        return Series.objects.prefetch_related("members").order_by("-updated", "-pk")

    @extend_schema(request=ChooseBestSerializer, responses=SeriesSerializer, summary="Best frame")
    @action(detail=True, methods=["post"], url_path="best", url_name="best")
    def choose_best(self, request: Request, pk: str | None = None) -> Response:
        series = self.get_object()
        data = ChooseBestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            choose_best(series, data.validated_data["image"])
        except ValueError as exc:
            raise ValidationError({"image": [str(exc)]}) from exc
        return Response(series_dict(series))


class ImageSeriesView(PhotodeskView):
    action_perms = {"get": perms.READ_IMAGES}

    @extend_schema(responses=SeriesSerializer, summary="The series of one image (404: none)")
    def get(self, request: Request, pk: int) -> Response:
        image = get_object_or_404(get_image_model(), pk=pk)
        info = series_info(image)
        if info is None:
            return Response({"detail": "This image is not part of a series."}, status=404)
        return Response(info)
