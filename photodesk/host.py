"""The only module that touches the site's own models: its image model and file field, its
article model, how it records where images are used, and what people wrote about an image.

Photodesk attaches to whatever models the settings name (PHOTODESK IMAGE_MODEL,
IMAGE_FILE_FIELD, ARTICLE_MODEL, SUGGEST_USAGE_FUNCTION); everything else asks here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.html import format_html
from django.utils.module_loading import import_string

from photodesk.conf import IMAGE_MODEL_FIX, photodesk_settings

# Rights values that suggestions leave out unless asked.
NOT_REUSABLE = {"forbidden"}

# Embedded metadata fills these fields of the image model when they are empty (and exist).
METADATA_FIELDS = {
    "title": ("headline", "object_name"),
    "caption": ("caption", "description"),
    "credit": ("credit", "byline", "artist"),
    "copyright": ("usage_terms", "copyright"),
}


def get_image_model() -> type[models.Model]:
    name = photodesk_settings.IMAGE_MODEL
    if not name:
        raise ImproperlyConfigured(f"PHOTODESK['IMAGE_MODEL'] is not set. {IMAGE_MODEL_FIX}")
    return apps.get_model(name)


def image_file(image: Any):
    return getattr(image, photodesk_settings.IMAGE_FILE_FIELD)


def image_file_name(image: Any) -> str:
    return getattr(image, "original_filename", "") or image_file(image).name.rsplit("/", 1)[-1]


def thumbnail_html(image: Any, height: int = 64) -> str:
    """A small <img> of the image for admin lists (its file, sized by the browser)."""
    field = image_file(image)
    if not field:
        return ""
    return format_html(
        '<img src="{}" alt="" style="height:{}px;max-width:120px;object-fit:cover" loading="lazy">',
        field.url,
        height,
    )


def get_article_model() -> type[models.Model] | None:
    """The article model of "suggestions for a stored article" (title and body fields);
    None when the site names none (PHOTODESK["ARTICLE_MODEL"])."""
    name = photodesk_settings.ARTICLE_MODEL
    return apps.get_model(name) if name else None


def usage_known() -> bool:
    """Whether the site says where images are used (else nothing is "never used")."""
    return bool(photodesk_settings.SUGGEST_USAGE_FUNCTION)


def last_used(image_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """{image id: latest use in an article}, through the site's SUGGEST_USAGE_FUNCTION
    ({} when it has none: usage unknown)."""
    path = photodesk_settings.SUGGEST_USAGE_FUNCTION
    return _usage_function(path)(list(image_ids)) if path else {}


@lru_cache(maxsize=4)
def _usage_function(path: str) -> Callable[[list[int]], dict[int, dt.datetime]]:
    return import_string(path)


def reusable_rights() -> set[str] | None:
    """Rights values of the image model that allow reuse (None: the model has no rights)."""
    try:
        choices = get_image_model()._meta.get_field("rights").choices or []
    except Exception:
        return None
    return {value for value, _ in choices} - NOT_REUSABLE


def written_text(image: Any, analysis: Any) -> str:
    """Words people wrote about the image: title, caption, IPTC headline and keywords."""
    meta = analysis.photo_metadata or {}
    parts = [
        getattr(image, "title", "") if _is_human_title(image) else "",
        getattr(image, "caption", ""),
        meta.get("headline", ""),
        meta.get("caption", ""),
        meta.get("description", ""),
        ", ".join(meta.get("keywords", [])),
    ]
    return ". ".join(p.strip() for p in parts if p and p.strip())


def human_text(image: Any, analysis: Any) -> str:
    """Written text plus the text read in the image."""
    ocr = analysis.ocr_text.replace("\n", " ").strip()
    return ". ".join(p for p in (written_text(image, analysis), ocr) if p)


def _is_human_title(image: Any) -> bool:
    """A title that only repeats the file name says nothing about the picture."""
    title = (getattr(image, "title", "") or "").strip()
    stem = (getattr(image, "original_filename", "") or "").rsplit(".", 1)[0]
    return bool(title) and title.replace(" ", "_").lower() != stem.lower()


def fill_empty_fields(image: Any, metadata: dict) -> list[str]:
    """Copy embedded metadata into the image's empty fields; people's edits are never
    overwritten. Returns the fields filled."""
    filled = []
    names = {f.name for f in image._meta.get_fields()}
    for field, keys in METADATA_FIELDS.items():
        if field not in names or getattr(image, field):
            continue
        value = next((metadata[k] for k in keys if metadata.get(k)), "")
        if value:
            max_length = image._meta.get_field(field).max_length
            setattr(image, field, str(value)[:max_length] if max_length else str(value))
            filled.append(field)
    if filled:
        type(image).objects.filter(pk=image.pk).update(
            **{field: getattr(image, field) for field in filled}
        )
    return filled
