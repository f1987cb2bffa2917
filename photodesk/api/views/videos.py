"""/videos/: the archive's videos: list, upload (202, analysed in the background), every fact
with its times, delete; /videos/search/: videos at their best-matching moment."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.filters import LIMIT, result_limit, text_param
from photodesk.api.throttles import SearchRateThrottle, UploadRateThrottle
from photodesk.api.video_serializers import (
    VideoDetailSerializer,
    VideoResultSerializer,
    VideoSerializer,
    VideoUploadSerializer,
)
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.conf import photodesk_settings
from photodesk.extras import installed
from photodesk.host import get_video_model, host


def _checked_video(upload: Any) -> None:
    """Refuse what is not a decodable video in a supported container, or over the limits,
    before anything is stored."""
    if not installed("video"):
        raise ValidationError(
            {"file": ['Videos need the video extra: pip install "photodesk[video]".']}
        )
    from photodesk.analysis.video.decode import InvalidVideo, check_size, open_video

    try:
        check_size(upload.size or 0)
        upload.seek(0)
        with open_video(upload, upload.name or ""):
            pass
    except InvalidVideo as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    finally:
        upload.seek(0)


@extend_schema_view(
    list=extend_schema(summary="Videos, newest first"),
    retrieve=extend_schema(summary="A video with its shots, labels, people and text, timed"),
    destroy=extend_schema(summary="Delete a video, its facts and its file"),
)
class VideoViewSet(PhotodeskViewSet, viewsets.ReadOnlyModelViewSet, mixins.DestroyModelMixin):
    action_perms = {
        "list": perms.READ_VIDEOS,
        "retrieve": perms.READ_VIDEOS,
        "search": perms.READ_VIDEOS,
        "create": perms.UPLOAD_VIDEOS,
        "destroy": perms.DELETE_VIDEOS,
    }
    action_throttles = {"create": (UploadRateThrottle,), "search": (SearchRateThrottle,)}
    serializer_class = VideoDetailSerializer
    action_serializers = {"list": VideoSerializer, "create": VideoUploadSerializer}
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        model = get_video_model()
        if model is None:
            raise NotFound("This site has no videos (PHOTODESK['VIDEO_MODEL'] is not set).")
        return model.objects.order_by("-pk")

    @extend_schema(
        request={"multipart/form-data": VideoUploadSerializer},
        responses={202: VideoSerializer},
        summary="Upload a video; its analysis is queued",
        description="Checked before anything is stored: a video by its content (MP4, MOV, "
        "WebM, MKV), decodable, within VIDEO_MAX_BYTES, VIDEO_MAX_SECONDS and "
        "VIDEO_MAX_PIXELS. 202 Accepted; `Location` is the video, whose `status` follows "
        "the analysis.",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        self.get_queryset()  # 404 without a video model
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > photodesk_settings.VIDEO_MAX_BYTES + 64 * 1024:
            raise ValidationError({"file": ["The upload is over the video size limit."]})
        serializer = VideoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        _checked_video(upload)
        video = host().new_video(upload.name or "video", upload)
        title = serializer.validated_data.get("title")
        if title and hasattr(video, "title"):
            video.title = title
        video.save()  # the analysis is queued once this commits (signal_handlers)
        body = VideoSerializer(video, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    def perform_destroy(self, instance: Any) -> None:
        file = host().video_file(instance)
        instance.delete()  # its shots leave the index once this commits
        if file:
            file.storage.delete(file.name)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What to find."),
            LIMIT,
        ],
        responses=VideoResultSerializer(many=True),
        summary="Videos for a query, each at its best-matching moment",
    )
    @action(detail=False, methods=["get"])
    def search(self, request: Request) -> Response:
        from photodesk.search.video import search_videos

        self.get_queryset()
        text = text_param(request.query_params, "q")
        if not text:
            raise ValidationError({"q": ["Say what to search for."]})
        if len(text) > 1000:
            raise ValidationError({"q": ["The query is longer than 1000 characters."]})
        found = search_videos(text, limit=result_limit(request.query_params))
        return self.paginated([result.as_dict() for result in found])
