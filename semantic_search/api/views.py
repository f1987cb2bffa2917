"""Thin DRF views: check the request, call the plugin's functions, shape the answer."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from semantic_search.api import permissions as perms
from semantic_search.api.errors import FaceSearchUnavailable, SearchUnavailable
from semantic_search.api.errors import not_found as not_found  # sites naming it as handler404
from semantic_search.api.filters import (
    ImageFilterSerializer,
    filter_images,
    index_filters,
    parse_filters,
)
from semantic_search.api.pagination import PhotodeskPagination
from semantic_search.api.serializers import (
    AnalysisSerializer,
    AssignFaceSerializer,
    DecidedSerializer,
    DecisionSerializer,
    FaceClusterSerializer,
    FaceMatchSerializer,
    FaceSearchSerializer,
    FaceSerializer,
    ImageDetailSerializer,
    ImageSerializer,
    ImageUpdateSerializer,
    ImageUploadSerializer,
    LabelSerializer,
    MergeSerializer,
    NamedSerializer,
    PersonDetailSerializer,
    PersonSerializer,
    ReviewItemSerializer,
    SearchResultSerializer,
    SuggestTextSerializer,
    UploadAcceptedSerializer,
)
from semantic_search.api.throttles import SearchRateThrottle, UploadRateThrottle
from semantic_search.api.uploads import delete_image, store_upload
from semantic_search.api.validation import refuse_oversized_request
from semantic_search.conf import photodesk_settings
from semantic_search.host import get_image_model
from semantic_search.labels import service as labeling
from semantic_search.models import Face, FaceCluster, ImageAnalysis, ImageLabel, Label, Person
from semantic_search.people.decisions import assign_face, merge_people, name_cluster, reject_face
from semantic_search.people.queries import photos_of_person
from semantic_search.search import service as search
from semantic_search.search.by_face import FaceRecognitionOff, NoFaceFound, search_by_face
from semantic_search.search.index.base import IndexUnavailable
from semantic_search.tasks import enqueue_analysis

# Ids in URLs: at most 18 digits, so a huge number is a 404, not a database overflow.
ID = r"[0-9]{1,18}"
MAX_ID = 10**18 - 1


LIMIT = OpenApiParameter(
    "limit", OpenApiTypes.INT, description="At most this many results (default and cap: 50)."
)


def result_limit(request: Request) -> int:
    cap = photodesk_settings.API_RESULT_LIMIT
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return cap
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"limit": ["A whole number."]}) from None
    if not 1 <= value <= cap:
        raise ValidationError({"limit": [f"Between 1 and {cap}."]})
    return value


class ResultsMixin:
    # Search-like answers: a list of results, paginated like every list. (A comment, not a
    # docstring: drf-spectacular would show it as every view's description.)

    pagination_class = PhotodeskPagination

    def results_response(self, request: Request, results: list[dict]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(results, request, view=self)
        return paginator.get_paginated_response(page)

    def search_results(self, request: Request, found: list[search.Result]) -> list[dict]:
        out = []
        for result in found:
            row = result.as_dict()
            row["url"] = reverse("photodesk-api:image-detail", [result.image.pk], request=request)
            out.append(row)
        return out

    def run_search(self, call: Any) -> list[search.Result]:
        try:
            return call()
        except IndexUnavailable as exc:
            raise SearchUnavailable() from exc


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
class ImageViewSet(ResultsMixin, viewsets.ModelViewSet):
    lookup_value_regex = ID
    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.READ_IMAGES,
        "retrieve": perms.READ_IMAGES,
        "similar": perms.READ_IMAGES,
        "create": perms.UPLOAD_IMAGES,
        "update": perms.EDIT_IMAGES,
        "partial_update": perms.EDIT_IMAGES,
        "destroy": perms.DELETE_IMAGES,
    }
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return get_image_model().objects.select_related("analysis").order_by("-pk")

    def get_serializer_class(self):
        return {
            "list": ImageSerializer,
            "create": ImageUploadSerializer,
            "update": ImageUpdateSerializer,
            "partial_update": ImageUpdateSerializer,
        }.get(self.action, ImageDetailSerializer)

    def get_throttles(self):
        if self.action == "create":
            return [UploadRateThrottle()]
        if self.action == "similar":
            return [SearchRateThrottle()]
        return []

    def filter_queryset(self, queryset):
        if self.action == "list":
            return filter_images(queryset, parse_filters(self.request.query_params))
        return queryset

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
        data = dict(serializer.validated_data)
        upload = data.pop("file")
        image = store_upload(upload, data, request.user)
        analysis = ImageAnalysis.objects.get(image=image)
        image = self.get_queryset().get(pk=image.pk)
        body = UploadAcceptedSerializer(
            {"image": image, "analysis": analysis}, context={"request": request}
        ).data
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["analysis"]["url"]}
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        partial_update = kwargs.pop("partial", False)
        image = self.get_object()
        serializer = ImageUpdateSerializer(image, data=request.data, partial=partial_update)
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
        limit = result_limit(request)
        found = self.run_search(lambda: search.similar_images(image, limit=limit))
        return self.results_response(request, self.search_results(request, found))


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
class AnalysisViewSet(viewsets.ReadOnlyModelViewSet):
    """Analysis jobs, addressed by their image's id."""

    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.READ_ANALYSES,
        "retrieve": perms.READ_ANALYSES,
        "rerun": (*perms.READ_ANALYSES, *perms.RERUN_ANALYSES),
    }
    serializer_class = AnalysisSerializer
    lookup_field = "image_id"
    lookup_url_kwarg = "image"
    lookup_value_regex = ID
    pagination_class = PhotodeskPagination

    def get_queryset(self):
        queryset = ImageAnalysis.objects.order_by("-updated", "-pk")
        wanted = self.request.query_params.get("status")
        if self.action == "list" and wanted:
            if wanted not in ImageAnalysis.Status.values:
                raise ValidationError(
                    {"status": [f"One of {', '.join(ImageAnalysis.Status.values)}."]}
                )
            queryset = queryset.filter(status=wanted)
        return queryset

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


class SearchView(ResultsMixin, APIView):
    permission_classes = [perms.ActionPermission]
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
        text = request.query_params.get("q", "").strip()
        if not text:
            raise ValidationError({"q": ["Say what to search for."]})
        limit = result_limit(request)
        filters = index_filters(
            get_image_model().objects.all(), parse_filters(request.query_params)
        )
        found = self.run_search(lambda: search.search_images(text, limit=limit, filters=filters))
        return self.results_response(request, self.search_results(request, found))


class FaceSearchView(ResultsMixin, APIView):
    permission_classes = [perms.ActionPermission]
    action_perms = {"post": (*perms.READ_IMAGES, *perms.READ_PEOPLE)}
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
            matches = search_by_face(data, limit=result_limit(request))
        except NoFaceFound as exc:
            raise ValidationError({"file": [str(exc) or "No usable face in this photo."]}) from exc
        except FaceRecognitionOff as exc:  # the site switched face recognition off
            raise FaceSearchUnavailable(str(exc)) from exc
        rows = [
            {
                "id": image.pk,
                "url": reverse("photodesk-api:image-detail", [image.pk], request=request),
                "title": getattr(image, "title", "") or str(image),
                "distance": round(float(distance), 4),
            }
            for image, distance in matches
        ]
        return self.results_response(request, rows)


def article_model():
    return apps.get_model(photodesk_settings.API_ARTICLE_MODEL)


class SuggestView(ResultsMixin, APIView):
    permission_classes = [perms.ActionPermission]
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
        found = self.run_search(
            lambda: search.suggest_for_article(title=text["title"], body=text["body"], limit=limit)
        )
        return self.results_response(request, self.search_results(request, found))


class ArticleSuggestionsView(ResultsMixin, APIView):
    permission_classes = [perms.ActionPermission]
    throttle_classes = [SearchRateThrottle]

    @property
    def action_perms(self) -> dict:
        opts = article_model()._meta
        return {"get": (*perms.READ_IMAGES, f"{opts.app_label}.view_{opts.model_name}")}

    @extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH), LIMIT],
        responses=SearchResultSerializer(many=True),
        summary="Images for a stored article",
    )
    def get(self, request: Request, pk: int) -> Response:
        article = get_object_or_404(article_model(), pk=pk)
        limit = result_limit(request)
        found = self.run_search(lambda: search.suggest_for_article(article, limit=limit))
        return self.results_response(request, self.search_results(request, found))


class LabelViewSet(viewsets.ModelViewSet):
    """The taxonomy: everyone reads it, admins edit it."""

    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.READ_LABELS,
        "retrieve": perms.READ_LABELS,
        "create": ("semantic_search.add_label",),
        "update": ("semantic_search.change_label",),
        "partial_update": ("semantic_search.change_label",),
        "destroy": ("semantic_search.delete_label",),
    }
    serializer_class = LabelSerializer
    lookup_value_regex = ID
    pagination_class = PhotodeskPagination

    def get_queryset(self):
        queryset = Label.objects.order_by("name")
        if self.action == "list":
            q = self.request.query_params.get("q", "").strip()
            if q:
                queryset = queryset.filter(Q(name__icontains=q) | Q(slug__icontains=q))
            active = self.request.query_params.get("active")
            if active in ("true", "false"):
                queryset = queryset.filter(active=active == "true")
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Part of the name or slug."),
            OpenApiParameter("active", OpenApiTypes.BOOL),
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)


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
class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Labels on images, as reviewers see them: approve or reject one or many."""

    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.REVIEW_LABELS,
        "retrieve": perms.REVIEW_LABELS,
        "approve": perms.REVIEW_LABELS,
        "reject": perms.REVIEW_LABELS,
        "decide": perms.REVIEW_LABELS,
    }
    serializer_class = ReviewItemSerializer
    lookup_value_regex = ID
    pagination_class = PhotodeskPagination

    def get_queryset(self):
        queryset = ImageLabel.objects.select_related("label")
        if self.action != "list":
            return queryset
        params = self.request.query_params
        state = params.get("state") or ImageLabel.State.REVIEW
        if state not in ImageLabel.State.values:
            raise ValidationError({"state": [f"One of {', '.join(ImageLabel.State.values)}."]})
        queryset = queryset.filter(state=state, label__active=True)
        if params.get("label"):
            queryset = queryset.filter(label__in=Label.objects.named(params["label"]))
        if params.get("image"):
            if not params["image"].isdigit() or int(params["image"]) > MAX_ID:
                raise ValidationError({"image": ["An image id."]})
            queryset = queryset.filter(image_id=int(params["image"]))
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


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="A name or alias.")],
        summary="People, by name",
    ),
    retrieve=extend_schema(summary="A person with the first photos showing them"),
    create=extend_schema(summary="Add a person (to name faces with)"),
    partial_update=extend_schema(summary="Rename, add aliases, describe"),
    update=extend_schema(summary="Rename, add aliases, describe"),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """People the newsroom names; reviewers name and merge them."""

    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.READ_PEOPLE,
        "retrieve": perms.READ_PEOPLE,
        "photos": (*perms.READ_PEOPLE, *perms.READ_IMAGES),
        "create": (*perms.REVIEW_PEOPLE, "semantic_search.add_person"),
        "update": perms.REVIEW_PEOPLE,
        "partial_update": perms.REVIEW_PEOPLE,
        "merge": perms.MERGE_PEOPLE,
    }
    lookup_value_regex = ID
    pagination_class = PhotodeskPagination

    def get_queryset(self):
        shown = Face.objects.showing().filter(person=OuterRef("pk"))
        queryset = Person.objects.annotate(
            photo_count=Coalesce(
                Subquery(
                    shown.values("person")
                    .annotate(n=Count("image_id", distinct=True))
                    .values("n")[:1]
                ),
                0,
            )
        ).order_by("name", "pk")
        q = self.request.query_params.get("q", "").strip()
        if self.action == "list" and q:
            queryset = queryset.filter(
                Q(pk__in=Person.objects.named(q).values("pk")) | Q(name__icontains=q)
            )
        return queryset

    def get_serializer_class(self):
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = PersonSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        person = self.get_queryset().get(pk=serializer.save().pk)  # with its photo count
        body = PersonSerializer(person, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ImageSerializer(many=True), summary="Every photo showing them")
    @action(detail=True, methods=["get"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        images = photos_of_person(person).order_by("-pk").select_related("analysis")
        page = self.paginate_queryset(images)
        return self.get_paginated_response(
            ImageSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=MergeSerializer,
        responses=PersonSerializer,
        summary="Merge this person into another (faces, names and ids move; this one goes)",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        source = self.get_object()
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = serializer.validated_data["into"]
        if target.pk == source.pk:
            raise ValidationError({"into": ["A person cannot be merged into themselves."]})
        merged = merge_people(source, target, request.user)
        merged = self.get_queryset().get(pk=merged.pk)
        return Response(PersonSerializer(merged, context={"request": request}).data)


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
class FaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Faces found in images; reviewers say who they are."""

    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.READ_PEOPLE,
        "retrieve": perms.READ_PEOPLE,
        "assign": perms.REVIEW_PEOPLE,
        "reject": perms.REVIEW_PEOPLE,
    }
    serializer_class = FaceSerializer
    lookup_value_regex = ID
    pagination_class = PhotodeskPagination

    def get_queryset(self):
        queryset = Face.objects.select_related("person").order_by("-pk")
        if self.action != "list":
            return queryset
        params = self.request.query_params
        for name in ("person", "image"):
            value = params.get(name)
            if value:
                if not value.isdigit() or int(value) > MAX_ID:
                    raise ValidationError({name: ["An id."]})
                queryset = queryset.filter(**{f"{name}_id": int(value)})
        state = params.get("state")
        if state:
            if state not in Face.State.values:
                raise ValidationError({"state": [f"One of {', '.join(Face.State.values)}."]})
            queryset = queryset.filter(state=state)
        return queryset

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


class FaceClusterViewSet(viewsets.ReadOnlyModelViewSet):
    """Unnamed faces grouped as probably one person; naming a cluster names them all."""

    permission_classes = [perms.ActionPermission]
    action_perms = {
        "list": perms.READ_PEOPLE,
        "retrieve": perms.READ_PEOPLE,
        "name_faces": perms.REVIEW_PEOPLE,
    }
    serializer_class = FaceClusterSerializer
    lookup_value_regex = ID
    pagination_class = PhotodeskPagination

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
