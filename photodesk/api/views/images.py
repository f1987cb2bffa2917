"""/images/: the archive's images: list with filters, upload, every fact of one, edit, delete,
and the images similar to one."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.filters import (
    LIMIT,
    ImageFilterSerializer,
    filter_images,
    parse_filters,
    result_limit,
)
from photodesk.api.serializers import (
    ImageDetailSerializer,
    ImageSerializer,
    ImageUpdateSerializer,
    ImageUploadSerializer,
    SearchResultSerializer,
    UploadAcceptedSerializer,
)
from photodesk.api.throttles import SearchRateThrottle, UploadRateThrottle
from photodesk.api.uploads import delete_image, name_notes, store_upload, stored_name
from photodesk.api.validation import refuse_oversized_request
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.api.views.search import result_rows
from photodesk.host import get_image_model
from photodesk.models import ImageAnalysis
from photodesk.search import service as search


@extend_schema_view(
    list=extend_schema(parameters=[ImageFilterSerializer], summary="Images, newest first"),
    retrieve=extend_schema(summary="An image with every fact the analysis found"),
    partial_update=extend_schema(
        request=ImageUpdateSerializer, responses=ImageDetailSerializer, summary="Edit metadata"
    ),
    update=extend_schema(
        request=ImageUpdateSerializer, responses=ImageDetailSerializer, summary="Edit metadata"
    ),
    destroy=extend_schema(summary="Delete an image, its facts and its file"),
)
class ImageViewSet(PhotodeskViewSet, viewsets.ModelViewSet):
    action_perms = {
        "list": perms.READ_IMAGES,
        "retrieve": perms.READ_IMAGES,
        "similar": perms.READ_IMAGES,
        "create": perms.UPLOAD_IMAGES,
        "update": perms.EDIT_IMAGES,
        "partial_update": perms.EDIT_IMAGES,
        "destroy": perms.DELETE_IMAGES,
    }
    action_throttles = {
        "create": (UploadRateThrottle,),
        "similar": (SearchRateThrottle,),
    }
    serializer_class = ImageDetailSerializer
    action_serializers = {
        "list": ImageSerializer,
        "create": ImageUploadSerializer,
        "update": ImageUpdateSerializer,
        "partial_update": ImageUpdateSerializer,
    }
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return get_image_model().objects.select_related("analysis").order_by("-pk")

    def filter_list(self, queryset, params: QueryDict):
        return filter_images(queryset, parse_filters(params))

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer},
        responses={202: UploadAcceptedSerializer},
        summary="Upload an image; its analysis is queued",
        description="Checked before anything is stored (type by content: JPEG, PNG, WebP, "
        "TIFF, HEIC; size and pixel limits; corrupt files). 202 Accepted with the analysis "
        "job's URL in `Location` and `analysis.url`.",
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        refuse_oversized_request(request.META)
        serializer = ImageUploadSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        upload = fields.pop("file")
        sent = upload.name or ""
        image = store_upload(upload, fields, request.user)
        analysis = ImageAnalysis.objects.get(image=image)
        image = self.get_queryset().get(pk=image.pk)
        stored = stored_name(image)
        body = UploadAcceptedSerializer(
            {
                "image": image,
                "analysis": analysis,
                "stored_name": stored,
                "notes": name_notes(sent, stored),
            },
            context={"request": request},
        ).data
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["analysis"]["url"]}
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        image = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = ImageUpdateSerializer(image, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        image = self.get_queryset().get(pk=image.pk)
        return Response(ImageDetailSerializer(image, context={"request": request}).data)

    def perform_destroy(self, instance: Any) -> None:
        delete_image(instance)

    @extend_schema(
        parameters=[LIMIT],
        responses=SearchResultSerializer(many=True),
        summary="Images similar in meaning to this one",
    )
    @action(detail=True, methods=["get"])
    def similar(self, request: Request, pk: str | None = None) -> Response:
        image = self.get_object()
        found = search.similar_images(image, limit=result_limit(request.query_params))
        return self.paginated(result_rows(request, found))
