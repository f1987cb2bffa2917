"""The OpenSearch backend: backend.py (the SearchIndex), schema.py (mapping, queries, filters),
client.py (connection, bulk writes, backoff), health.py (what `check --deploy` reports)."""

from photodesk.search.index.opensearch.backend import OpenSearchIndex

__all__ = ["OpenSearchIndex"]
