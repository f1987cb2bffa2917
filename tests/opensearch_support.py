"""Helpers for the tests that run against a real OpenSearch node (scripts/opensearch.sh).

The shared node is found through OPENSEARCH_URL (default http://127.0.0.1:9200). Each test uses
its own alias (photodesk-test-<random>) and removes its indices and template afterwards, so the
suite never touches a developer's photodesk-images. A test that stops a node starts one of its
own (`own_node`): on a free port, with its own data directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from opensearchpy import OpenSearch

from photodesk.search.index import opensearch_options
from photodesk.search.index.opensearch import OpenSearchIndex
from photodesk.search.index.opensearch.client import ConnectionOptions, make_client

from .conftest import need
from .helpers import free_port

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


def drop(alias: str, url: str = OPENSEARCH_URL) -> None:
    """Remove every index and the template a test made for `alias`."""
    c = client(url)
    c.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
    c.indices.delete_index_template(name=alias, ignore=[404])


def make_index(alias: str, **options) -> OpenSearchIndex:
    """An OpenSearch backend on `alias` with its own client; `options` as OpenSearchOptions'."""
    defaults = {"refresh": "true", "replicas": 0, "swap_grace": 0.3, "retry_backoff": 0.1}
    chosen = opensearch_options(url=OPENSEARCH_URL, index=alias, **{**defaults, **options})
    return OpenSearchIndex(chosen, dimension=DIMENSION)


@contextmanager
def fresh_index(**options) -> Iterator[OpenSearchIndex]:
    """An OpenSearchIndex on a new alias of the shared node, dropped afterwards."""
    require_node()
    alias = new_alias()
    try:
        yield make_index(alias, **options)
    finally:
        drop(alias)


def use_opensearch(settings, alias: str, url: str = OPENSEARCH_URL, **extra) -> None:
    """Make get_index() return an OpenSearch backend on `alias` for this test."""
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_BACKEND": "photodesk.search.index.opensearch.OpenSearchIndex",
        "OPENSEARCH_URL": url,
        "OPENSEARCH_INDEX": alias,
        "OPENSEARCH_REFRESH": "true",
        "OPENSEARCH_REPLICAS": 0,
        "OPENSEARCH_SWAP_GRACE": 0.3,
        "OPENSEARCH_RETRY_BACKOFF": 0.1,
        **extra,
    }


@dataclass
class Node:
    """A node of a test's own, run by scripts/opensearch.sh on `port` from `run_dir`."""

    port: int
    run_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, command: str) -> subprocess.CompletedProcess:
        """scripts/opensearch.sh start|stop|status for this node, and no other."""
        return subprocess.run(
            ["bash", str(ROOT / "scripts" / "opensearch.sh"), command],
            env={
                **os.environ,
                "OPENSEARCH_PORT": str(self.port),
                "OPENSEARCH_RUN_DIR": str(self.run_dir),
                # Small data; two nodes may run beside the shared one.
                "OPENSEARCH_JAVA_OPTS": "-Xms256m -Xmx256m",
            },
            capture_output=True,
            text=True,
            timeout=300,
        )


@contextmanager
def own_node() -> Iterator[Node]:
    """Start a node of the test's own on a free port, with its own data directory, and remove
    it afterwards: a test may stop it without stopping a node someone else uses."""
    # Not under pytest's tmp_path: the service user a root run starts it as must reach it.
    node = Node(free_port(), Path(tempfile.mkdtemp(prefix="photodesk-opensearch-test-")))
    try:
        started = node.script("start")
        need(
            started.returncode == 0 and node_is_up(node.url),
            f"could not start an OpenSearch node on {node.url}: {started.stderr[-2000:]}",
        )
        yield node
    finally:
        node.script("stop")
        shutil.rmtree(node.run_dir, ignore_errors=True)
