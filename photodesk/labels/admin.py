"""Admin for the taxonomy, the review queue, per-image tags, the decision log and how model
and provider classes map onto the taxonomy (ModelClass).

Rekognition names its labels in words; a name not mapped to a label (and not a label's name
or synonym) stays a raw detection. An editor maps one by adding a ModelClass (model
"rekognition", its exact name, the label; or no label to keep it raw); the index of a new
row is assigned.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.template.response import TemplateResponse

from photodesk.host import thumbnail_html
from photodesk.labels import service as labeling
from photodesk.models import ImageLabel, Label, LabelDecision, ModelClass, ReviewItem


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Label.objects.active(), label="Merge into")


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "synonym_list", "images", "pending", "active")
    list_filter = ("active", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "synonyms", "description")
    autocomplete_fields = ("parent",)
    readonly_fields = ("merged_into", "created", "updated")
    actions = ["merge_labels_action", "deactivate", "activate"]
    fields = (
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
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(
                n_images=Count(
                    "image_labels",
                    filter=Q(
                        image_labels__state__in=[ImageLabel.State.AUTO, ImageLabel.State.ACCEPTED]
                    ),
                ),
                n_pending=Count(
                    "image_labels", filter=Q(image_labels__state=ImageLabel.State.REVIEW)
                ),
            )
        )

    @admin.display(description="synonyms")
    def synonym_list(self, obj: Label) -> str:
        return ", ".join(obj.synonyms)

    @admin.display(description="images", ordering="n_images")
    def images(self, obj: Label) -> int:
        return obj.n_images

    @admin.display(description="to review", ordering="n_pending")
    def pending(self, obj: Label) -> int:
        return obj.n_pending

    @admin.action(description="Deactivate the selected labels (kept, not applied or searched)")
    def deactivate(self, request, queryset) -> None:
        self._set_active(request, queryset, False)

    @admin.action(description="Activate the selected labels")
    def activate(self, request, queryset) -> None:
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, active: bool) -> None:
        labels = list(queryset)
        for label in labels:  # save() per label: activation re-applies it to the archive
            label.active = active
            label.save()
        verb = "Activated" if active else "Deactivated"
        self.message_user(request, f"{verb} {len(labels)} label(s).", messages.SUCCESS)

    @admin.action(description="Merge the selected labels into another…")
    def merge_labels_action(self, request, queryset):
        form = MergeForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            target = form.cleaned_data["target"]
            moved = 0
            for source in queryset.exclude(pk=target.pk):
                try:
                    moved += labeling.merge_labels(source, target, request.user)
                except ValueError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
            self.message_user(
                request, f"Merged into “{target}”; {moved} image label(s) moved.", messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "labels": list(queryset),
            "form": form,
            "title": "Merge labels",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/semantic_search/label/merge.html", context)


class ConfidenceBand(admin.SimpleListFilter):
    title = "confidence"
    parameter_name = "band"
    BANDS = {"low": (0, 30), "mid": (30, 40), "high": (40, 101)}

    def lookups(self, request, model_admin):
        return [("low", "below 30 %"), ("mid", "30–40 %"), ("high", "40 % and above")]

    def queryset(self, request, queryset):
        if self.value() in self.BANDS:
            low, high = self.BANDS[self.value()]
            return queryset.filter(confidence__gte=low, confidence__lt=high)
        return queryset


@admin.action(description="Approve the selected labels")
def approve_labels(modeladmin, request, queryset) -> None:
    _decide(modeladmin, request, queryset, ImageLabel.State.ACCEPTED, "Approved")


@admin.action(description="Reject the selected labels")
def reject_labels(modeladmin, request, queryset) -> None:
    _decide(modeladmin, request, queryset, ImageLabel.State.REJECTED, "Rejected")


def _decide(modeladmin, request, queryset, state: str, verb: str) -> None:
    rows = list(queryset.select_related("label", "image"))
    # Each decision re-embeds and re-indexes its image once the request's changes commit.
    for row in rows:
        labeling.decide(row, state, request.user)
    modeladmin.message_user(request, f"{verb} {len(rows)} label(s).", messages.SUCCESS)


@admin.register(ReviewItem)
class ReviewQueueAdmin(admin.ModelAdmin):
    """Pending labels, largest label first (most images waiting), then most confident."""

    list_display = ("thumbnail", "image", "label", "confidence_pct", "source", "created")
    list_display_links = None
    list_filter = (("label", admin.RelatedOnlyFieldListFilter), ConfidenceBand, "source", "created")
    search_fields = ("label__name",)
    actions = [approve_labels, reject_labels]
    list_per_page = 60
    list_select_related = ("label", "image")

    class Media:
        js = ["semantic_search/review.js"]
        css = {"all": ["semantic_search/review.css"]}

    def get_queryset(self, request):
        waiting = (
            ReviewItem.objects.pending()
            .filter(label=OuterRef("label"))
            .values("label")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .filter(state=ImageLabel.State.REVIEW, label__active=True)
            .annotate(impact=Subquery(waiting))
            .order_by("-impact", "label__name", "-confidence")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("semantic_search.change_imagelabel")

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="")
    def thumbnail(self, obj: ImageLabel) -> str:
        return thumbnail_html(obj.image)

    @admin.display(description="confidence", ordering="confidence")
    def confidence_pct(self, obj: ImageLabel) -> str:
        return f"{obj.confidence:.0f} %"


@admin.register(ImageLabel)
class ImageLabelAdmin(admin.ModelAdmin):
    list_display = ("image", "label", "confidence", "state", "source", "decided_by", "updated")
    list_filter = ("state", ("label", admin.RelatedOnlyFieldListFilter), "source")
    search_fields = ("label__name",)
    list_select_related = ("label", "image", "decided_by")
    actions = [approve_labels, reject_labels]
    readonly_fields = (
        "image",
        "label",
        "confidence",
        "source",
        "state",
        "decided_by",
        "decided_at",
        "box",
        "created",
        "updated",
    )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LabelDecision)
class LabelDecisionAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "user",
        "action",
        "label_name",
        "image_id_snapshot",
        "from_state",
        "to_state",
    )
    list_filter = ("action", "user", "at")
    search_fields = ("label_name",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ImageLabelForm(forms.ModelForm):
    state = forms.ChoiceField(choices=ImageLabel.State.choices)

    class Meta:
        model = ImageLabel
        fields = ("label", "state")


class ImageLabelInline(admin.TabularInline):
    """Tags on an image's admin page: accept, reject, or add one by hand."""

    model = ImageLabel
    form = ImageLabelForm
    fk_name = "image"
    extra = 1
    fields = ("label", "confidence", "state", "source", "decided_by")
    readonly_fields = ("confidence", "source", "decided_by")
    autocomplete_fields = ("label",)
    can_delete = False
    verbose_name = "label"
    verbose_name_plural = "labels (tags)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("label", "decided_by")
            .order_by("-confidence")
        )


class LabelInlineMixin:
    """For an image ModelAdmin: routes tag edits through labels.service (audited, human wins)."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not ImageLabel:
            return super().save_formset(request, form, formset, change)
        image = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            row, state = inline_form.instance, inline_form.cleaned_data["state"]
            if row.pk is None:
                labeling.add_label(image, inline_form.cleaned_data["label"], request.user)
                if state == ImageLabel.State.REJECTED:
                    added = ImageLabel.objects.get(
                        image=image, label=inline_form.cleaned_data["label"]
                    )
                    labeling.decide(added, state, request.user)
            elif "state" in inline_form.changed_data:
                original = ImageLabel.objects.get(pk=row.pk)
                if state in (ImageLabel.State.ACCEPTED, ImageLabel.State.REJECTED):
                    labeling.decide(original, state, request.user)
        # The admin's change message reads what a formset.save() would have set.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(ModelClass)
class ModelClassAdmin(admin.ModelAdmin):
    list_display = ("name", "model", "label", "index")
    list_filter = ("model", ("label", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "label__name")
    autocomplete_fields = ("label",)
    list_select_related = ("label",)

    def get_fields(self, request, obj=None):
        return ("model", "name", "label") if obj is None else ("model", "index", "name", "label")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("model", "index", "name")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            top = ModelClass.objects.filter(model=obj.model).aggregate(top=Max("index"))["top"]
            obj.index = 0 if top is None else top + 1
        super().save_model(request, obj, form, change)
