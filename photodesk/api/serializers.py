"""What the API reads and writes. Serializers validate; the domain work stays in the plugin's
modules (labels, analysis, search, people)."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from photodesk.api.validation import check_upload
from photodesk.host import (
    MAX_TEXT_CHARS,
    capped_metadata,
    get_image_model,
    image_file,
    short_text,
)
from photodesk.models import Face, ImageAnalysis, ImageLabel, Label, Person, UsageWords
from photodesk.people.queries import people_shown, photos_of_person

# Fields of the image model the API shows and edits, when the model has them.
IMAGE_FIELDS = (
    "title",
    "caption",
    "credit",
    "copyright",
    "rights",
    "original_filename",
    "width",
    "height",
    "created",
)
EDITABLE_IMAGE_FIELDS = ("title", "caption", "credit", "copyright", "rights")


class LimitedTextMixin:
    """Every text field of the image model gets a length limit in the API: the model's
    max_length, or MAX_TEXT_CHARS where the host's model sets none (a clear 400 naming the
    field, before anything is stored)."""

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type, dict]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)  # type: ignore[misc]
        if issubclass(field_class, serializers.CharField) and not kwargs.get("max_length"):
            kwargs["max_length"] = MAX_TEXT_CHARS
        return field_class, kwargs


def _present(names: tuple[str, ...]) -> list[str]:
    model_fields = {f.name for f in get_image_model()._meta.get_fields()}
    return [n for n in names if n in model_fields]


def analysis_of(image: Any) -> ImageAnalysis | None:
    try:
        return image.analysis
    except ImageAnalysis.DoesNotExist:
        return None


class AnalysisSerializer(serializers.ModelSerializer):
    """One analysis job: its state, error, timings and the models used."""

    url = serializers.SerializerMethodField()
    image = serializers.IntegerField(source="image_id", read_only=True)
    total_seconds = serializers.FloatField(read_only=True)

    class Meta:
        model = ImageAnalysis
        fields = (
            "url",
            "image",
            "status",
            "error",
            "attempts",
            "queued_at",
            "started_at",
            "finished_at",
            "timings",
            "total_seconds",
            "model_versions",
            "pipeline_version",
        )
        read_only_fields = fields

    def get_url(self, obj: ImageAnalysis) -> str:
        return reverse(
            "photodesk-api:analysis-detail", [obj.image_id], request=self.context.get("request")
        )


class ImageSerializer(serializers.ModelSerializer):
    """An image in a list: what people wrote (the caption cut at LIST_TEXT_CHARS), its file
    and the state of its analysis."""

    url = serializers.HyperlinkedIdentityField(view_name="photodesk-api:image-detail")
    file = serializers.SerializerMethodField()
    analysis_status = serializers.SerializerMethodField()
    flagged = serializers.SerializerMethodField()

    class Meta:
        model = get_image_model()
        fields = ("id", "url", "file", *_present(IMAGE_FIELDS), "analysis_status", "flagged")
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file(self, obj: Any) -> str | None:
        field = image_file(obj)
        if not field:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(field.url) if request else field.url

    @extend_schema_field(
        serializers.ChoiceField(choices=ImageAnalysis.Status.choices, allow_null=True)
    )
    def get_analysis_status(self, obj: Any) -> str | None:
        analysis = analysis_of(obj)
        return analysis.status if analysis else None

    def get_flagged(self, obj: Any) -> bool:
        analysis = analysis_of(obj)
        return bool(analysis and analysis.flagged)

    def to_representation(self, instance: Any) -> dict:
        data = super().to_representation(instance)
        if "caption" in data and not isinstance(self, ImageDetailSerializer):
            data["caption"] = short_text(data["caption"])
        return data


class ImageLabelSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="label.name", read_only=True)
    slug = serializers.CharField(source="label.slug", read_only=True)

    class Meta:
        model = ImageLabel
        fields = ("id", "label", "name", "slug", "confidence", "state", "source", "box")
        read_only_fields = fields


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ("id", "name")
        read_only_fields = fields


class FaceSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Face
        fields = (
            "id",
            "image",
            "box",
            "detection_confidence",
            "expression",
            "expression_confidence",
            "quality",
            "usable",
            "person",
            "state",
            "distance",
            "cluster",
        )
        read_only_fields = fields


class SafetySerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="0–1, open_nsfw")
    flagged = serializers.BooleanField()


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    lines = serializers.ListField(child=serializers.DictField())


class UsageWordsSerializer(serializers.ModelSerializer):
    """Words an article that uses the image lends it (weak words, read-only)."""

    article_type = serializers.SerializerMethodField()
    source = serializers.CharField(read_only=True)

    class Meta:
        model = UsageWords
        fields = ("id", "source", "title", "summary", "article_type", "article_id", "updated")
        read_only_fields = fields

    def get_article_type(self, obj: UsageWords) -> str:
        return f"{obj.article_type.app_label}.{obj.article_type.model}"


class ImageDetailSerializer(ImageSerializer):
    """An image with every fact: tags (all states), faces and people, text, metadata,
    safety, and its analysis job."""

    labels = serializers.SerializerMethodField()
    faces = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    safety = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    analysis = serializers.SerializerMethodField()
    usage_words = serializers.SerializerMethodField()

    class Meta(ImageSerializer.Meta):
        fields = (
            *ImageSerializer.Meta.fields,
            "labels",
            "faces",
            "people",
            "text",
            "metadata",
            "safety",
            "description",
            "analysis",
            "usage_words",
        )
        read_only_fields = fields

    @extend_schema_field(UsageWordsSerializer(many=True))
    def get_usage_words(self, obj: Any) -> list[dict]:
        """The articles whose words the image carries (not those an editor removed)."""
        rows = UsageWords.objects.active().filter(image_id=obj.pk).select_related("article_type")
        return UsageWordsSerializer(rows, many=True).data

    @extend_schema_field(ImageLabelSerializer(many=True))
    def get_labels(self, obj: Any) -> list[dict]:
        rows = ImageLabel.objects.filter(image_id=obj.pk).select_related("label")
        return ImageLabelSerializer(rows, many=True).data

    @extend_schema_field(FaceSerializer(many=True))
    def get_faces(self, obj: Any) -> list[dict]:
        faces = Face.objects.filter(image_id=obj.pk).select_related("person")
        return FaceSerializer(faces, many=True).data

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_people(self, obj: Any) -> list[dict]:
        """People shown (decided faces only: auto-recognised or confirmed)."""
        return PersonRefSerializer(people_shown(obj), many=True).data

    @extend_schema_field(TextSerializer)
    def get_text(self, obj: Any) -> dict:
        analysis = analysis_of(obj)
        return {
            "text": analysis.ocr_text if analysis else "",
            "lines": analysis.ocr_lines if analysis else [],
        }

    @extend_schema_field(serializers.DictField())
    def get_metadata(self, obj: Any) -> dict:
        analysis = analysis_of(obj)
        return capped_metadata(analysis.photo_metadata) if analysis else {}

    @extend_schema_field(SafetySerializer)
    def get_safety(self, obj: Any) -> dict:
        analysis = analysis_of(obj)
        return {
            "score": analysis.safety_score if analysis else None,
            "flagged": bool(analysis and analysis.flagged),
        }

    def get_description(self, obj: Any) -> str:
        analysis = analysis_of(obj)
        return analysis.description if analysis else ""

    @extend_schema_field(AnalysisSerializer(allow_null=True))
    def get_analysis(self, obj: Any) -> dict | None:
        analysis = analysis_of(obj)
        return AnalysisSerializer(analysis, context=self.context).data if analysis else None


class ImageUpdateSerializer(LimitedTextMixin, serializers.ModelSerializer):
    """What people write about an image (a change re-embeds and re-indexes it)."""

    class Meta:
        model = get_image_model()
        fields = _present(EDITABLE_IMAGE_FIELDS)


class ImageUploadSerializer(LimitedTextMixin, serializers.ModelSerializer):
    file = serializers.FileField(
        help_text="JPEG, PNG, WebP, TIFF or HEIC; checked by content, size and pixel count."
    )

    class Meta:
        model = get_image_model()
        fields = ("file", *_present(EDITABLE_IMAGE_FIELDS))

    def validate_file(self, upload: Any) -> Any:
        upload.checked = check_upload(upload)
        return upload


class UploadAcceptedSerializer(serializers.Serializer):
    """202 Accepted: the image is stored; its analysis runs in the background."""

    image = ImageSerializer()
    analysis = AnalysisSerializer()
    stored_name = serializers.CharField(
        help_text="Where the file is stored, relative to the site's storage "
        '("images/harbour.jpg"): only the last part of the name sent is kept, its extension '
        "follows the content, and a suffix is added if the name is taken."
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the stored name differs from the one sent (empty when it does not).",
    )


class SearchResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField(allow_blank=True)
    original_filename = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()
    similarity = serializers.FloatField(allow_null=True)
    reasons = serializers.ListField(
        child=serializers.DictField(),
        help_text='Why it matched: {"kind", "text", ...facts} (see README, "Suggestions").',
    )
    reason_texts = serializers.ListField(child=serializers.CharField(), required=False)
    series = serializers.DictField(
        allow_null=True,
        required=False,
        help_text='Its series (a burst): {"id", "similar_count"}; null when in none.',
    )
    similar = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        help_text="The other frames of its series that matched (suggestions show one frame).",
    )


class FaceMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField(allow_blank=True)
    distance = serializers.FloatField(help_text="Face embedding distance; smaller is closer.")


class SuggestTextSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=1000, default="")
    body = serializers.CharField(allow_blank=True, max_length=200_000, default="")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200)
    all_frames = serializers.BooleanField(
        default=False,
        help_text="List every frame of a series (a burst); by default only its best frame, "
        "with the others under `similar`.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("title", "").strip() or attrs.get("body", "").strip()):
            raise serializers.ValidationError("Give a title or a body.")
        return attrs


class FaceSearchSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A photo with one face (the largest one is used).")

    def validate_file(self, upload: Any) -> Any:
        upload.checked = check_upload(upload)
        return upload


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = (
            "id",
            "name",
            "slug",
            "parent",
            "synonyms",
            "description",
            "active",
            "accept_threshold",
            "review_threshold",
            "merged_into",
            "created",
            "updated",
        )
        read_only_fields = ("merged_into", "created", "updated")
        extra_kwargs = {
            "slug": {"required": False},
            "accept_threshold": {"min_value": 0, "max_value": 100},
            "review_threshold": {"min_value": 0, "max_value": 100},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The model's own rules (Label.clean), on a copy carrying the changes."""
        label = copy.copy(self.instance) if self.instance is not None else Label()
        for name, value in attrs.items():
            setattr(label, name, value)
        try:
            label.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        attrs["slug"] = label.slug  # made from the name when none was given
        return attrs


class ReviewItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="label.name", read_only=True)
    image_url = serializers.HyperlinkedRelatedField(
        source="image", view_name="photodesk-api:image-detail", read_only=True
    )

    class Meta:
        model = ImageLabel
        fields = (
            "id",
            "image",
            "image_url",
            "label",
            "name",
            "confidence",
            "state",
            "source",
            "box",
            "decided_by",
            "decided_at",
            "created",
        )
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10**18 - 1),
        min_length=1,
        max_length=500,
    )
    decision = serializers.ChoiceField(choices=["approve", "reject"])


class PersonSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="photodesk-api:person-detail")
    photo_count = serializers.IntegerField(
        read_only=True, help_text="Images showing this person (decided faces)."
    )

    class Meta:
        model = Person
        fields = (
            "id",
            "url",
            "name",
            "aliases",
            "description",
            "kind",
            "external_ids",
            "photo_count",
            "created",
            "updated",
        )
        read_only_fields = ("created", "updated", "photo_count")

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("A person needs a name.")
        return value.strip()

    def validate_aliases(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise serializers.ValidationError("A list of names.")
        return [s.strip() for s in value if s.strip()]

    def validate_external_ids(self, value: Any) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError("An object.")
        return value


class PersonDetailSerializer(PersonSerializer):
    """A person with the first photos showing them (all of them: …/photos/, paginated)."""

    photos = serializers.SerializerMethodField()
    photos_url = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = (*PersonSerializer.Meta.fields, "photos", "photos_url")

    @extend_schema_field(ImageSerializer(many=True))
    def get_photos(self, obj: Person) -> list[dict]:
        images = photos_of_person(obj).order_by("-pk").select_related("analysis")[:PERSON_PHOTOS]
        return ImageSerializer(images, many=True, context=self.context).data

    def get_photos_url(self, obj: Person) -> str:
        return reverse("photodesk-api:person-photos", [obj.pk], request=self.context.get("request"))


PERSON_PHOTOS = 20


class MergeSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), help_text="The person who remains."
    )


class AssignFaceSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), help_text="Who the face (or every face of the cluster) is."
    )


class FaceClusterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    faces = FaceSerializer(many=True, source="faces.all")
    updated = serializers.DateTimeField()


class NamedSerializer(serializers.Serializer):
    named = serializers.IntegerField(help_text="Faces named.")


class DecidedSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    results = ReviewItemSerializer(many=True)
