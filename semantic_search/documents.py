"""Index documents built from database rows only (so `reindex` never runs a model)."""

from __future__ import annotations

from typing import Any

from .describe import written_text
from .index.base import IndexDocument, orientation_of


def image_file_name(image: Any) -> str:
    return getattr(image, "original_filename", "") or image.file.name.rsplit("/", 1)[-1]


def visible_labels(image: Any) -> list[tuple[str, float]]:
    """(name, confidence 0-1) of the tags search may use: auto-accepted and accepted only."""
    from .models import ImageLabel

    rows = ImageLabel.objects.visible().filter(image_id=image.pk).select_related("label")
    return [(row.label.name, row.confidence / 100) for row in rows]


def people_shown(image: Any) -> list[Any]:
    """The people the image is known to show (faces named by a person or recognised)."""
    from .models import Face, Person

    ids = Face.objects.showing().filter(image_id=image.pk).values("person_id")
    return list(Person.objects.filter(pk__in=ids))


def build_document(image: Any, analysis: Any) -> IndexDocument:
    meta = analysis.photo_metadata or {}
    width, height = getattr(image, "width", None), getattr(image, "height", None)
    people = people_shown(image)
    labels = visible_labels(image)
    return IndexDocument(
        id=image.pk,
        vector=analysis.vector,
        fields={
            "labels": labels,
            "caption": written_text(image, analysis),
            "ocr_text": analysis.ocr_text,
            "metadata": " ".join(
                str(meta.get(k, "")) for k in ("byline", "city", "province_state", "country")
            ),
            "people": " ".join(name for person in people for name in person.all_names()),
        },
        attributes={
            "created": getattr(image, "created", None).isoformat()
            if getattr(image, "created", None)
            else None,
            "width": width,
            "height": height,
            "orientation": orientation_of(width, height),
            "rights": getattr(image, "rights", None),
            "flagged": bool(analysis.flagged),
            "people_ids": sorted(person.pk for person in people),
            "labels": sorted({name.casefold() for name, _ in labels}),
        },
    )
