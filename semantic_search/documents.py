"""Index documents built from database rows only (so `reindex` never runs a model)."""

from __future__ import annotations

from typing import Any

from .describe import written_text
from .index.base import IndexDocument, orientation_of


def image_file_name(image: Any) -> str:
    return getattr(image, "original_filename", "") or image.file.name.rsplit("/", 1)[-1]


def build_document(image: Any, analysis: Any) -> IndexDocument:
    meta = analysis.photo_metadata or {}
    width, height = getattr(image, "width", None), getattr(image, "height", None)
    return IndexDocument(
        id=image.pk,
        vector=analysis.vector,
        fields={
            "labels": [(label["name"], label["confidence"] / 100) for label in analysis.labels]
            + ([("person people", 1.0)] if analysis.face_count else []),
            "caption": written_text(image, analysis),
            "ocr_text": analysis.ocr_text,
            "metadata": " ".join(
                str(meta.get(k, "")) for k in ("byline", "city", "province_state", "country")
            ),
            "people": "",
        },
        attributes={
            "created": getattr(image, "created", None).isoformat()
            if getattr(image, "created", None)
            else None,
            "width": width,
            "height": height,
            "orientation": orientation_of(width, height),
            "rights": getattr(image, "rights", None),
        },
    )
