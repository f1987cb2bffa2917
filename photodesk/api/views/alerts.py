"""/saved-searches/ (each user's own: journalists keep theirs) and /alert-rules/ (admins
manage them; a test message on demand)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from photodesk.alerts import digest, saved, schedules
from photodesk.api.alert_serializers import (
    AlertDeliverySerializer,
    AlertRuleSerializer,
    SavedSearchSerializer,
)
from photodesk.api.serializers import SearchResultSerializer
from photodesk.api.throttles import SearchRateThrottle
from photodesk.api.views.base import PhotodeskViewSet
from photodesk.api.views.search import result_rows
from photodesk.models import AlertRule, SavedSearch


def _model_perms(model: str) -> dict[str, tuple[str, ...]]:
    view = (f"semantic_search.view_{model}",)
    change = (f"semantic_search.change_{model}",)
    return {
        "list": view,
        "retrieve": view,
        "create": (f"semantic_search.add_{model}",),
        "update": change,
        "partial_update": change,
        "destroy": (f"semantic_search.delete_{model}",),
    }


@extend_schema_view(
    list=extend_schema(summary="Your saved searches"),
    create=extend_schema(summary="Save a search (a query and filters)"),
)
class SavedSearchViewSet(PhotodeskViewSet, viewsets.ModelViewSet):
    """A query plus filters, owned by the user who saved it: only they see it here."""

    action_perms = {
        **_model_perms("savedsearch"),
        "results": ("semantic_search.view_savedsearch", "@image.view"),
    }
    action_throttles = {"results": (SearchRateThrottle,)}
    serializer_class = SavedSearchSerializer

    def get_queryset(self):
        return (
            SavedSearch.objects.filter(owner=self.request.user)
            .select_related("owner")
            .prefetch_related("people")
            .order_by("name", "pk")
        )

    def filter_list(self, queryset, params):
        return queryset

    def perform_create(self, serializer) -> None:
        serializer.save(owner=self.request.user)

    @extend_schema(
        responses=SearchResultSerializer(many=True),
        summary="Run it: the images it finds now, best first",
    )
    @action(detail=True, methods=["get"], url_path="results", url_name="results")
    def results(self, request: Request, pk: str | None = None) -> Response:
        return self.paginated(result_rows(request, saved.run(self.get_object())))


@extend_schema_view(list=extend_schema(summary="Alert rules"))
class AlertRuleViewSet(PhotodeskViewSet, viewsets.ModelViewSet):
    """When to tell whom: admins manage the rules."""

    action_perms = {**_model_perms("alertrule"), "send_test": ("semantic_search.change_alertrule",)}
    serializer_class = AlertRuleSerializer

    def get_queryset(self):
        return AlertRule.objects.order_by("name", "pk")

    def filter_list(self, queryset, params):
        return queryset

    def perform_create(self, serializer) -> None:
        self._scheduled(serializer.save())

    def perform_update(self, serializer) -> None:
        self._scheduled(serializer.save())

    @staticmethod
    def _scheduled(rule: AlertRule) -> None:
        if rule.kind not in AlertRule.EVENT_KINDS:
            schedules.ensure_rule_check()

    @extend_schema(
        request=None,
        responses=AlertDeliverySerializer(many=True),
        summary="Send a test message on the rule's channels",
    )
    @action(detail=True, methods=["post"], url_path="send-test", url_name="send-test")
    def send_test(self, request: Request, pk: str | None = None) -> Response:
        sent = digest.send_test(self.get_object())
        return Response(AlertDeliverySerializer(sent, many=True).data, status=status.HTTP_200_OK)
