"""The archive's simple counts for reports: the most common labels, images by analysis
state (one grouped query each)."""

from __future__ import annotations

from django.db.models import Count

from photodesk.models import ImageAnalysis, ImageLabel


def label_counts(limit: int = 15) -> list[tuple[str, int]]:
    """The most common visible labels: (name, images), most first."""
    rows = (
        ImageLabel.objects.visible()
        .values("label__name")
        .annotate(images=Count("image_id", distinct=True))
        .order_by("-images", "label__name")[:limit]
    )
    return [(row["label__name"], row["images"]) for row in rows]


def state_counts() -> list[tuple[str, int]]:
    """Images by analysis state, in the states' order."""
    found = dict(
        ImageAnalysis.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    return [(label, found.get(value, 0)) for value, label in ImageAnalysis.Status.choices]
