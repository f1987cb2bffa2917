"""/people/: the people the newsroom names, with the photos showing them; reviewers add,
rename and merge them."""

from __future__ import annotations

from django.db.models import Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.api import permissions as perms
from photodesk.api.filters import text_param
from photodesk.api.serializers import (
    ImageSerializer,
    MergeSerializer,
    PersonDetailSerializer,
    PersonSerializer,
)
from photodesk.api.video_serializers import PersonVideoSerializer
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.host import host
from photodesk.models import Person
from photodesk.people.decisions import merge_people
from photodesk.people.queries import images_showing, photos_of_person


def with_photo_count(people: QuerySet) -> QuerySet:
    """`people` with `photo_count`: how many images show each one (as people.queries means
    "showing")."""
    # Each person of `people`, referred to from inside images_showing's nested subqueries
    # (images, their faces, the faces' people).
    this_person = Person.objects.filter(pk=OuterRef(OuterRef(OuterRef("pk"))))
    shown = images_showing(this_person).order_by()
    count = Func("pk", function="COUNT", output_field=IntegerField())
    return people.annotate(photo_count=Subquery(shown.values(n=count)))


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
    PhotodeskViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """People the newsroom names; reviewers name and merge them."""

    action_perms = {
        "list": perms.READ_PEOPLE,
        "retrieve": perms.READ_PEOPLE,
        "photos": (*perms.READ_PEOPLE, *perms.READ_IMAGES),
        "videos": (*perms.READ_PEOPLE, *perms.READ_VIDEOS),
        "create": (*perms.REVIEW_PEOPLE, "semantic_search.add_person"),
        "update": perms.REVIEW_PEOPLE,
        "partial_update": perms.REVIEW_PEOPLE,
        "merge": perms.MERGE_PEOPLE,
    }
    serializer_class = PersonSerializer
    action_serializers = {"retrieve": PersonDetailSerializer}

    def get_queryset(self):
        return with_photo_count(Person.objects.all()).order_by("name", "pk")

    def filter_list(self, queryset, params: QueryDict):
        q = text_param(params, "q")
        if q:
            queryset = queryset.filter(
                Q(pk__in=Person.objects.named(q).values("pk")) | Q(name__icontains=q)
            )
        return queryset

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
        responses=PersonVideoSerializer(many=True),
        summary="Videos they are on screen in, with the intervals",
    )
    @action(detail=True, methods=["get"])
    def videos(self, request: Request, pk: str | None = None) -> Response:
        from photodesk.search.video import videos_with

        person = self.get_object()
        rows = [
            {
                "id": found.video.pk,
                "title": host().video_title(found.video),
                "spans": [{"start": a, "end": b} for a, b in found.spans],
                "text": found.text,
            }
            for found in videos_with(person)
        ]
        return self.paginated(rows)

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
