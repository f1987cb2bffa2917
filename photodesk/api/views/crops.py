"""/images/{id}/crops/: an image's focal region and its crop for each named ratio, with the
rendition's URL; people with the right to edit images move the focal region (or give it back
to analysis). /images/{id}/crops/{ratio}/: the rendition itself (JPEG)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.views.base import PhotodeskView
from photodesk.conf import photodesk_settings
from photodesk.crops import store
from photodesk.crops.renditions import RenditionError, crop_bytes, rendition_name
from photodesk.host import get_image_model
from photodesk.models import FocalRegion

RENDITION_MAX_AGE = 24 * 3600


class CropSerializer(serializers.Serializer):
    ratio = serializers.CharField()
    box = serializers.ListField(child=serializers.IntegerField(), help_text="[x, y, w, h]")
    url = serializers.CharField(help_text="The rendition (JPEG); ?size= for a smaller one.")


class FocalRegionSerializer(serializers.Serializer):
    box = serializers.ListField(child=serializers.IntegerField(), help_text="[x, y, w, h]")
    image_width = serializers.IntegerField()
    image_height = serializers.IntegerField()
    source = serializers.ChoiceField(choices=FocalRegion.Source.choices)
    basis = serializers.CharField(help_text="Found from faces, text, saliency or centre.")
    edited_by = serializers.CharField(allow_null=True)
    updated = serializers.DateTimeField()


class CropsSerializer(serializers.Serializer):
    focal_region = FocalRegionSerializer()
    crops = CropSerializer(many=True)
    preview_ratio = serializers.CharField()


class FocalRegionEditSerializer(serializers.Serializer):
    box = serializers.ListField(
        child=serializers.FloatField(),
        min_length=4,
        max_length=4,
        required=False,
        help_text="[x, y, w, h] in pixels of the upright image.",
    )
    point = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        required=False,
        help_text="[x, y]: the region keeps its size and is centred here (kept inside).",
    )

    def validate(self, data: dict) -> dict:
        if ("box" in data) == ("point" in data):
            raise ValidationError("Send either box [x, y, w, h] or point [x, y].")
        return data


def crops_payload(request: Any, image: Any, region: FocalRegion) -> dict:
    return {
        "focal_region": {
            "box": region.box,
            "image_width": region.image_width,
            "image_height": region.image_height,
            "source": region.source,
            "basis": region.basis,
            "edited_by": region.edited_by.get_username() if region.edited_by_id else None,
            "updated": region.updated,
        },
        "crops": [
            {
                "ratio": ratio,
                "box": box.rounded(),
                "url": request.build_absolute_uri(
                    reverse("photodesk-api:image-crop", args=[image.pk, store.slug(ratio)])
                ),
            }
            for ratio, box in store.crops(region).items()
        ],
        "preview_ratio": photodesk_settings.CROP_PREVIEW_RATIO,
    }


def _image(pk: int) -> Any:
    return get_object_or_404(get_image_model(), pk=pk)


def _region(image: Any) -> FocalRegion:
    try:
        return store.ensure(image)
    except RenditionError as exc:
        raise NotFound(f"The image's file cannot be read: {exc}") from exc


def centred_on(region: FocalRegion, point: list[float]) -> list[float]:
    """The region moved so its centre is at `point`, kept inside the image."""
    x = min(max(point[0] - region.width / 2, 0), region.image_width - region.width)
    y = min(max(point[1] - region.height / 2, 0), region.image_height - region.height)
    return [x, y, region.width, region.height]


class ImageCropsView(PhotodeskView):
    action_perms = {
        "get": perms.READ_IMAGES,
        "put": perms.EDIT_IMAGES,
        "delete": perms.EDIT_IMAGES,
    }

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=CropsSerializer,
        summary="An image's focal region and its crop for each named ratio",
    )
    def get(self, request: Request, pk: int) -> Response:
        image = _image(pk)
        return Response(crops_payload(request, image, _region(image)))

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=FocalRegionEditSerializer,
        responses=CropsSerializer,
        summary="Set the focal region (a box, or a new centre); analysis keeps it from then on",
    )
    def put(self, request: Request, pk: int) -> Response:
        image = _image(pk)
        edit = FocalRegionEditSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        region = _region(image)
        box = edit.validated_data.get("box") or centred_on(region, edit.validated_data["point"])
        size = (region.image_width, region.image_height)
        try:
            region = store.set_by_person(image, box, size, request.user)
        except store.FocalRegionError as exc:
            raise ValidationError({"box": [str(exc)]}) from exc
        return Response(crops_payload(request, image, region))

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=None,
        responses=CropsSerializer,
        summary="Forget a person's focal region: found automatically again",
    )
    def delete(self, request: Request, pk: int) -> Response:
        image = _image(pk)
        try:
            region = store.reset(image)
        except RenditionError as exc:
            raise NotFound(f"The image's file cannot be read: {exc}") from exc
        return Response(crops_payload(request, image, region))


class ImageCropRenditionView(PhotodeskView):
    action_perms = {"get": perms.READ_IMAGES}

    @extend_schema(
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("ratio", OpenApiTypes.STR, OpenApiParameter.PATH, description="16x9"),
            OpenApiParameter("size", OpenApiTypes.INT, description="Long side in pixels"),
        ],
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY},
        operation_id="images_crops_rendition",
        summary="The image cropped to a named ratio (JPEG)",
    )
    def get(self, request: Request, pk: int, ratio: str) -> HttpResponse:
        return crop_response(request, _image(pk), ratio, request.query_params.get("size"))


def crop_response(request: Any, image: Any, ratio: str, asked_size: str | None) -> HttpResponse:
    """The rendition of `ratio` as a cacheable response (the API's and the admin's)."""
    name = store.configured_ratio(ratio)
    if name is None:
        raise NotFound(f"No crop named {ratio!r}: {', '.join(photodesk_settings.CROP_RATIOS)}")
    try:
        size = store.rendition_size(asked_size)
    except ValueError as exc:
        raise ValidationError({"size": [str(exc)]}) from exc
    region = _region(image)
    box = store.crop_box(region, name)
    etag = f'"{rendition_name(image, box, size).rsplit("/", 1)[-1]}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        try:
            data = crop_bytes(image, box, (region.image_width, region.image_height), size)
        except RenditionError as exc:
            raise NotFound(f"The image's file cannot be read: {exc}") from exc
        response = HttpResponse(data, content_type="image/jpeg")
    response["ETag"] = etag
    # Private: the view is permission-checked, so shared caches must not keep it.
    response["Cache-Control"] = f"private, max-age={RENDITION_MAX_AGE}"
    return response
