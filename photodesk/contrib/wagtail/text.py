"""What a page says and which images it shows, read from its fields: a RichTextField (Draftail
HTML) or a StreamField, through Wagtail's own block APIs (searchable content, references)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from wagtail.fields import RichTextField, StreamField
from wagtail.rich_text import extract_references_from_rich_text, get_text_for_indexing


def plain_text(page: Any, field_name: str | None) -> str:
    """The field's words as plain text: markup, embeds and block structure left out."""
    field, value = _field_value(page, field_name)
    if field is None or value is None:
        return ""
    if isinstance(field, StreamField):
        parts = field.stream_block.get_searchable_content(value)
        return "\n".join(p.strip() for p in parts if p and p.strip())
    if isinstance(field, RichTextField):
        return get_text_for_indexing(str(value))
    return str(value)


def images_in(page: Any, field_name: str | None, image_model: type[models.Model]) -> set[int]:
    """Ids of the images the field embeds (rich text image embeds, image blocks)."""
    return {int(pk) for pk in _references(page, field_name, image_model)}


def _references(page: Any, field_name: str | None, image_model: type[models.Model]) -> Iterator:
    field, value = _field_value(page, field_name)
    if field is None or value is None:
        return
    if isinstance(field, StreamField):
        references = field.stream_block.extract_references(value)
    elif isinstance(field, RichTextField):
        references = extract_references_from_rich_text(str(value))
    else:
        return
    for model, object_id, *_ in references:
        if issubclass(image_model, model) or issubclass(model, image_model):
            yield object_id


def _field_value(page: Any, field_name: str | None) -> tuple[models.Field | None, Any]:
    if not field_name:
        return None, None
    try:
        field = page._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None, None
    return field, getattr(page, field_name, None)
