"""The page types that get the "Suggested images" panel, and which of their fields hold the
article's body and lead image (PHOTODESK["WAGTAIL_SUGGEST_PAGES"])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from photodesk.conf import photodesk_settings


@dataclass(frozen=True)
class ArticleFields:
    body: str | None = "body"
    lead_image: str | None = "lead_image"


def configured_pages() -> dict[type[models.Model], ArticleFields]:
    """{page model: its fields}, as the setting names them (LookupError: no such model)."""
    pages = {}
    for label, fields in (photodesk_settings.WAGTAIL_SUGGEST_PAGES or {}).items():
        pages[apps.get_model(label)] = ArticleFields(**(fields or {}))
    return pages


def fields_of(page: Any) -> ArticleFields:
    """The configured fields of this page's type (the defaults for a type not listed)."""
    for model, fields in configured_pages().items():
        if isinstance(page, model):
            return fields
    return ArticleFields()
