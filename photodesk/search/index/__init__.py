"""The search index: derived from the database, rebuilt by `manage.py reindex`.

This is where the index settings are read: each backend gets its own options and the vector
dimension of the configured text embedder, and knows nothing of the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from photodesk.analysis.embedding import embedding_dimension
from photodesk.conf import photodesk_settings
from photodesk.search.index.base import (
    Filters,
    Hit,
    IndexDocument,
    IndexUnavailable,
    SearchIndex,
    SearchQuery,
)
from photodesk.search.index.embedded import EmbeddedOptions

if TYPE_CHECKING:
    # Imported where used: opensearch-py is an extra (`pip install "photodesk[opensearch]"`),
    # and a site on the embedded index runs without it.
    from photodesk.search.index.opensearch.backend import OpenSearchIndex, OpenSearchOptions

__all__ = [
    "Filters",
    "Hit",
    "IndexDocument",
    "SearchIndex",
    "SearchQuery",
    "embedded_options",
    "get_index",
    "opensearch_index",
    "opensearch_options",
]

_instances: dict[tuple[type[SearchIndex], Any, int], SearchIndex] = {}


def embedded_options() -> EmbeddedOptions:
    return EmbeddedOptions(path=photodesk_settings.index_path)


def opensearch_options(**changes: Any) -> OpenSearchOptions:
    """The OPENSEARCH_* settings as options; `changes` replace some of them (the system
    check's short timeout, tests' own alias)."""
    conf = photodesk_settings
    values: dict[str, Any] = {
        "url": conf.OPENSEARCH_URL,
        "index": conf.OPENSEARCH_INDEX,
        "username": conf.OPENSEARCH_USERNAME,
        "password": conf.OPENSEARCH_PASSWORD,
        "verify_certs": conf.OPENSEARCH_VERIFY_CERTS,
        "ca_certs": conf.OPENSEARCH_CA_CERTS,
        "timeout": conf.OPENSEARCH_TIMEOUT,
        "refresh": conf.OPENSEARCH_REFRESH,
        "shards": conf.OPENSEARCH_SHARDS,
        "replicas": conf.OPENSEARCH_REPLICAS,
        "hnsw_m": conf.OPENSEARCH_HNSW_M,
        "hnsw_ef_construction": conf.OPENSEARCH_HNSW_EF_CONSTRUCTION,
        "ef_search": conf.OPENSEARCH_EF_SEARCH,
        "bulk_size": conf.OPENSEARCH_BULK_SIZE,
        "bulk_concurrency": conf.OPENSEARCH_BULK_CONCURRENCY,
        "max_retries": conf.OPENSEARCH_MAX_RETRIES,
        "retry_backoff": conf.OPENSEARCH_RETRY_BACKOFF,
        "swap_grace": conf.OPENSEARCH_SWAP_GRACE,
        "merge_segments": conf.OPENSEARCH_MERGE_SEGMENTS,
        **changes,
    }
    if not values["url"]:
        raise IndexUnavailable("PHOTODESK['OPENSEARCH_URL'] is not set.")
    from photodesk.search.index.opensearch.backend import OpenSearchOptions

    return OpenSearchOptions(**values)


# How each backend's options are read from the settings (a subclass uses its base's), by the
# class's dotted path: looking a backend up must not import the other one.
BACKEND_OPTIONS: dict[str, Callable[[], Any]] = {
    "photodesk.search.index.embedded.backend.EmbeddedIndex": embedded_options,
    "photodesk.search.index.opensearch.backend.OpenSearchIndex": opensearch_options,
}


def _options_reader(backend: type) -> Callable[[], Any]:
    for cls in getattr(backend, "__mro__", ()):
        reader = BACKEND_OPTIONS.get(f"{cls.__module__}.{cls.__qualname__}")
        if reader is not None:
            return reader
    raise ImproperlyConfigured(
        f"PHOTODESK['INDEX_BACKEND'] {photodesk_settings.INDEX_BACKEND!r} is neither the "
        "embedded index nor the OpenSearch one (nor a subclass of either)."
    )


def get_index() -> SearchIndex:
    """The configured backend (INDEX_BACKEND), one instance per process and configuration:
    its options and the embedder's dimension (tests override both) make the key."""
    backend = import_string(photodesk_settings.INDEX_BACKEND)
    options, dimension = _options_reader(backend)(), embedding_dimension()
    key = (backend, options, dimension)
    if key not in _instances:
        _instances[key] = backend(options, dimension=dimension)
    return _instances[key]


def opensearch_index(**changes: Any) -> OpenSearchIndex:
    """A new OpenSearch backend from the settings whatever INDEX_BACKEND says, with `changes`
    to its options: the system check's, which must not wait long for a dead node."""
    from photodesk.search.index.opensearch.backend import OpenSearchIndex

    return OpenSearchIndex(opensearch_options(**changes), dimension=embedding_dimension())
