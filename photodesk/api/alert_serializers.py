"""Saved searches and alert rules as the API reads and writes them; the models' own checks
(clean()) answer 400 with the field's message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from photodesk.models import AlertDelivery, AlertRule, Person, SavedSearch


def _checked(model: type, instance: Any, attrs: dict[str, Any]) -> None:
    """Run the model's clean() on the object these attributes would make."""
    values = {k: v for k, v in attrs.items() if k != "people"}
    candidate = model(**{**_fields_of(instance), **values}) if instance else model(**values)
    try:
        candidate.clean()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from None


def _fields_of(instance: Any) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname != "id"
    }


class SavedSearchSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="photodesk-api:saved-search-detail")
    results_url = serializers.HyperlinkedIdentityField(
        view_name="photodesk-api:saved-search-results"
    )
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    rights = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    labels = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    people = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Person.objects.all(), required=False
    )

    class Meta:
        model = SavedSearch
        fields = (
            "id",
            "url",
            "results_url",
            "owner",
            *SavedSearch.EDITABLE_FIELDS,
            "created",
            "updated",
        )
        read_only_fields = ("id", "owner", "created", "updated")


class AlertRuleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="photodesk-api:alert-rule-detail")

    class Meta:
        model = AlertRule
        fields = (
            "id",
            "url",
            *AlertRule.EDITABLE_FIELDS,
            "from_settings",
            "checked_at",
            "last_sent_at",
        )
        read_only_fields = ("id", "from_settings", "checked_at", "last_sent_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _checked(AlertRule, self.instance, attrs)
        return attrs


class AlertDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertDelivery
        fields = ("channel", "target", "subject", "test", "ok", "error", "sent_at")
        read_only_fields = fields
