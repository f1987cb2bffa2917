"""The search index: derived from the database, rebuilt by `manage.py reindex`."""

from __future__ import annotations

from django.utils.module_loading import import_string

from semantic_search.conf import DEFAULTS, photodesk_settings
from semantic_search.search.index.base import Filters, Hit, IndexDocument, SearchIndex, SearchQuery

__all__ = ["Filters", "Hit", "IndexDocument", "SearchIndex", "SearchQuery", "get_index"]

_instances: dict[str, SearchIndex] = {}


def get_index() -> SearchIndex:
    """The configured backend, one instance per process and configuration."""
    path = photodesk_settings.INDEX_BACKEND
    # Every setting a backend reads at construction is in the key (tests override them).
    key = repr(
        [path, photodesk_settings.INDEX_PATH]
        + [getattr(photodesk_settings, name) for name in DEFAULTS if name.startswith("OPENSEARCH_")]
    )
    if key not in _instances:
        _instances[key] = import_string(path).from_settings(photodesk_settings)
    return _instances[key]
