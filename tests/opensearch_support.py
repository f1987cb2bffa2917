"""Helpers for the tests that run against a real OpenSearch node (scripts/opensearch.sh).

The node is found through OPENSEARCH_URL (default http://127.0.0.1:9200). Each test uses its
own alias (photodesk-test-<random>) and removes its indices and template afterwards, so the
suite never touches a developer's photodesk-images.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from opensearchpy import OpenSearch

from semantic_search.search.index import opensearch_options
from semantic_search.search.index.opensearch import OpenSearchIndex
from semantic_search.search.index.opensearch.client import ConnectionOptions, make_client

from .conftest import need

ROOT = Path(__file__).resolve().parent.parent
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")
DIMENSION = 384  # the text model's (SentenceEmbedder.dimension)


def client(url: str = OPENSEARCH_URL, timeout: float = 10.0) -> OpenSearch:
    return make_client(ConnectionOptions(url=url, timeout=timeout))


def node_is_up(url: str = OPENSEARCH_URL) -> bool:
    try:
        return client(url, timeout=3).cluster.health()["status"] in {"green", "yellow"}
    except Exception:
        return False


def require_node() -> str:
    need(
        node_is_up(),
        f"no OpenSearch node at {OPENSEARCH_URL} (bash scripts/opensearch.sh start, or set "
        "OPENSEARCH_URL)",
    )
    return OPENSEARCH_URL


def new_alias() -> str:
    return f"photodesk-test-{uuid.uuid4().hex[:10]}"


def drop(alias: str) -> None:
    """Remove every index and the template a test made for `alias`."""
    c = client()
    c.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
    c.indices.delete_index_template(name=alias, ignore=[404])


def make_index(alias: str, **options) -> OpenSearchIndex:
    """An OpenSearch backend on `alias` with its own client; `options` as OpenSearchOptions'."""
    defaults = {"refresh": "true", "replicas": 0, "swap_grace": 0.3, "retry_backoff": 0.1}
    chosen = opensearch_options(url=OPENSEARCH_URL, index=alias, **{**defaults, **options})
    return OpenSearchIndex(chosen, dimension=DIMENSION)


def use_opensearch(settings, alias: str, **extra) -> None:
    """Make get_index() return an OpenSearch backend on `alias` for this test."""
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_BACKEND": "semantic_search.search.index.opensearch.OpenSearchIndex",
        "OPENSEARCH_URL": OPENSEARCH_URL,
        "OPENSEARCH_INDEX": alias,
        "OPENSEARCH_REFRESH": "true",
        "OPENSEARCH_REPLICAS": 0,
        "OPENSEARCH_SWAP_GRACE": 0.3,
        "OPENSEARCH_RETRY_BACKOFF": 0.1,
        **extra,
    }


def node_script(command: str) -> subprocess.CompletedProcess:
    """scripts/opensearch.sh start|stop|status, for the node the tests use."""
    port = urlsplit(OPENSEARCH_URL).port or 9200
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "opensearch.sh"), command],
        env={**os.environ, "OPENSEARCH_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=300,
    )
