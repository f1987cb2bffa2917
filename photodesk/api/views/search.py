"""Search-like answers: /search/ (by meaning, with the image filters), /search/faces/ (by an
uploaded face), /suggestions/ and /articles/{id}/suggestions/ (images for an article). Each
embeds a query, so each counts against the search rate."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from photodesk.api import permissions as perms
from photodesk.api.errors import ArticleSuggestionsOff
from photodesk.api.filters import (
    LIMIT,
    ImageFilterSerializer,
    index_filters,
    parse_filters,
    result_limit,
    text_param,
)
from photodesk.api.serializers import (
    FaceMatchSerializer,
    FaceSearchSerializer,
    SearchResultSerializer,
    SuggestTextSerializer,
    short_text,
)
from photodesk.api.throttles import SearchRateThrottle, UploadRateThrottle
from photodesk.api.validation import refuse_oversized_request
from photodesk.api.views.base import PhotodeskView
from photodesk.conf import photodesk_settings
from photodesk.host import get_article_model, get_image_model
from photodesk.search import service as search
from photodesk.search.by_face import NoFaceFound, search_by_face


def image_url(request: Request, pk: int) -> str:
    return reverse("photodesk-api:image-detail", [pk], request=request)


def result_rows(request: Request, found: list[search.Result]) -> list[dict]:
    """Search results as the API shows them: each with its image's URL, the caption cut at
    LIST_TEXT_CHARS (the image's URL gives all of it)."""
    rows = []
    for result in found:
        row = {**result.as_dict(), "url": image_url(request, result.image.pk)}
        if "caption" in row:
            row["caption"] = short_text(row["caption"])
        rows.append(row)
    return rows


class SearchView(PhotodeskView):
    action_perms = {"get": perms.READ_IMAGES}
    throttle_classes = [SearchRateThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What to find."),
            LIMIT,
            ImageFilterSerializer,
        ],
        responses=SearchResultSerializer(many=True),
        summary="Search images by meaning, with the image filters",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        text = text_param(params, "q")
        if not text:
            raise ValidationError({"q": ["Say what to search for."]})
        limit = result_limit(params)
        filters = index_filters(get_image_model().objects.all(), parse_filters(params))
        found = search.search_images(text, limit=limit, filters=filters)
        return self.paginated(result_rows(request, found))


class FaceSearchView(PhotodeskView):
    action_perms = {"post": (*perms.READ_IMAGES, *perms.READ_PEOPLE)}
    # It embeds a query face and, like an upload, decodes a photo and runs a model on it.
    throttle_classes = [SearchRateThrottle, UploadRateThrottle]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FaceSearchSerializer},
        parameters=[LIMIT],
        responses=FaceMatchSerializer(many=True),
        summary="Images showing the face in an uploaded photo, closest first",
    )
    def post(self, request: Request) -> Response:
        refuse_oversized_request(request.META)
        serializer = FaceSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data["file"].checked.data
        try:
            matches = search_by_face(data, limit=result_limit(request.query_params))
        except NoFaceFound as exc:
            raise ValidationError({"file": [str(exc) or "No usable face in this photo."]}) from exc
        rows = [
            {
                "id": image.pk,
                "url": image_url(request, image.pk),
                "title": getattr(image, "title", "") or str(image),
                "distance": round(float(distance), 4),
            }
            for image, distance in matches
        ]
        return self.paginated(rows)


class SuggestView(PhotodeskView):
    action_perms = {"post": perms.READ_IMAGES}
    throttle_classes = [SearchRateThrottle]

    @extend_schema(
        request=SuggestTextSerializer,
        responses=SearchResultSerializer(many=True),
        summary="Images for an article not yet saved (its title and body)",
    )
    def post(self, request: Request) -> Response:
        serializer = SuggestTextSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = serializer.validated_data
        limit = text.get("limit") or photodesk_settings.API_RESULT_LIMIT
        found = search.suggest_for_article(
            title=text["title"], body=text["body"], limit=limit, all_frames=text["all_frames"]
        )
        return self.paginated(result_rows(request, found))


class ArticleSuggestionsView(PhotodeskView):
    throttle_classes = [SearchRateThrottle]

    @property
    def action_perms(self) -> dict[str, tuple[str, ...]]:
        # Reading the article too: the configured article model's view permission.
        model = get_article_model()
        if model is None:  # get() says the feature is off
            return {"get": perms.READ_IMAGES}
        opts = model._meta
        return {"get": (*perms.READ_IMAGES, f"{opts.app_label}.view_{opts.model_name}")}

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH), LIMIT],
        responses=SearchResultSerializer(many=True),
        summary="Images for a stored article",
    )
    def get(self, request: Request, pk: int) -> Response:
        model = get_article_model()
        if model is None:
            raise ArticleSuggestionsOff()
        article = get_object_or_404(model, pk=pk)
        found = search.suggest_for_article(article, limit=result_limit(request.query_params))
        return self.paginated(result_rows(request, found))
