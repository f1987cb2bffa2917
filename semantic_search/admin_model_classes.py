"""Admin for how model and provider classes map onto the taxonomy (ModelClass).

Rekognition names its labels in words; a name not mapped here (and not a label's name or
synonym) stays a raw detection. An editor maps one by adding it here (model "rekognition",
its exact name, the label; or no label to keep it raw). The index of a new row is assigned.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Max

from .models import ModelClass


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
