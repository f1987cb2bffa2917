"""What the API says about duplicate groups: each copy with what a person compares (size,
dates, credit, rights, what people said about it), and how a group is resolved."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from photodesk.duplicates import review
from photodesk.models import DuplicateGroup


class DuplicateMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The image's id.")
    title = serializers.CharField()
    thumbnail_url = serializers.CharField()
    admin_url = serializers.CharField()
    width = serializers.IntegerField(help_text="Pixels.")
    height = serializers.IntegerField(help_text="Pixels.")
    file_size = serializers.IntegerField(help_text="Bytes.")
    added = serializers.DateTimeField(allow_null=True)
    taken = serializers.CharField(allow_null=True, help_text="Capture date from EXIF.")
    credit = serializers.CharField()
    rights = serializers.CharField(allow_null=True)
    rights_label = serializers.CharField()
    caption = serializers.CharField(help_text="Its start (200 characters).")
    accepted_labels = serializers.IntegerField()
    people = serializers.ListField(child=serializers.CharField())
    used_in = serializers.IntegerField(help_text="Articles whose words it carries.")
    similarity = serializers.FloatField(help_text="Visual cosine to the copy it matched.")
    hash_bits = serializers.IntegerField(help_text="Perceptual-hash bits that differ (of 64).")


class DuplicateGroupSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField(
        help_text="The copies, the suggested one to keep (most pixels) first."
    )
    resolved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DuplicateGroup
        fields = [
            "id",
            "status",
            "action",
            "kept",
            "resolved_by",
            "resolved_at",
            "created",
            "members",
        ]
        read_only_fields = fields

    def get_members(self, group: DuplicateGroup) -> list[dict[str, Any]]:
        return DuplicateMemberSerializer(review.members(group), many=True).data


class ResolveSerializer(serializers.Serializer):
    keep = serializers.IntegerField(help_text="The id of the image to keep (a member).")
    action = serializers.ChoiceField(
        choices=DuplicateGroup.Action.choices,
        help_text="delete: merge into the kept image, delete the others; link: merge, keep "
        "the others linked; distinct: not duplicates (nothing merged).",
    )
