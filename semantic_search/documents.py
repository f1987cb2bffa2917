"""Index documents built from database rows only (so `reindex` never runs a model)."""

from __future__ import annotations

from typing import Any

from .describe import written_text
from .faces import people_names, people_shown
from .index.base import IndexDocument, orientation_of


def image_file_name(image: Any) -> str:
    return getattr(image, "original_filename", "") or image.file.name.rsplit("/", 1)[-1]


def visible_labels(image: Any) -> list[tuple[str, float]]:
    """(name, confidence 0-1) of the tags search may use: auto-accepted and accepted only."""
    from .models import ImageLabel

    rows = ImageLabel.objects.visible().filter(image_id=image.pk).select_related("label")
    return [(row.label.name, row.confidence / 100) for row in rows]


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
            # Names and aliases of the people it shows (decided faces only), so a keyword
            # search or an article naming someone finds their photos.
            "people": " ".join(people_names(people)),
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
            # Who it shows (OpenSearch keyword field people_ids), for filters by person.
            "people_ids": [str(person.pk) for person in people],
            # Tag names, for filters by label.
            "labels": sorted({name.casefold() for name, _ in labels}),
        },
    )
