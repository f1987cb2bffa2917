"""Bulk writes under the failures a real node produces that the shared test node cannot be made
to: documents refused with 429 (write queue full), a whole request answered 503, a node that
refuses connections, and documents refused for good. A small HTTP server stands in for the
node's _bulk endpoint; everything else is the real client and our real bulk code."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from photodesk.search.index.base import IndexUnavailable
from photodesk.search.index.opensearch.client import (
    BulkError,
    BulkOptions,
    ConnectionOptions,
    bulk,
    make_client,
)

# Answer to one _bulk request: its documents (meta, source) → (HTTP status, items).
Reply = Callable[[list[tuple[dict, dict | None]]], tuple[int, list[dict]]]


def ok(docs):
    return 200, [{next(iter(m)): {"_id": m[next(iter(m))]["_id"], "status": 201}} for m, _ in docs]


def refuse(ids: set[str], status: int, error: dict | None = None) -> Reply:
    def reply(docs):
        items = []
        for meta, _ in docs:
            op = next(iter(meta))
            doc_id = meta[op]["_id"]
            result = {"_id": doc_id, "status": 201}
            if doc_id in ids:
                result = {"_id": doc_id, "status": status, "error": error or {"type": "x"}}
            items.append({op: result})
        return 200, items

    return reply


class FakeNode:
    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies  # one per request; the last one repeats
        self.requests: list[list[str]] = []  # ids sent, per request
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                lines = [json.loads(line) for line in body.splitlines() if line.strip()]
                docs, i = [], 0
                while i < len(lines):
                    meta = lines[i]
                    has_source = next(iter(meta)) != "delete"
                    docs.append((meta, lines[i + 1] if has_source else None))
                    i += 2 if has_source else 1
                node.requests.append([m[next(iter(m))]["_id"] for m, _ in docs])
                reply = node.replies[min(len(node.requests), len(node.replies)) - 1]
                status, items = reply(docs)
                payload = json.dumps(
                    {"errors": True, "items": items} if status == 200 else {"error": "busy"}
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def node() -> Iterator[Callable[..., FakeNode]]:
    started: list[FakeNode] = []

    def start(*replies: Reply) -> FakeNode:
        fake = FakeNode(list(replies))
        threading.Thread(target=fake.server.serve_forever, daemon=True).start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.server.shutdown()
        fake.server.server_close()


def actions(n: int, op: str = "index"):
    for i in range(n):
        meta = {op: {"_index": "photos", "_id": str(i)}}
        yield (meta, {"id": i}) if op == "index" else (meta, None)


def write(url: str, docs, *, batch_size: int = 10, concurrency: int = 1, ignore=None) -> int:
    options = BulkOptions(batch_size=batch_size, retries=2, backoff=0.01, concurrency=concurrency)
    return bulk(make_client(ConnectionOptions(url=url, timeout=2)), docs, options, ignore)


def test_documents_refused_with_429_are_sent_again_alone(node):
    fake = node(refuse({"3", "7"}, 429), ok)
    assert write(fake.url, actions(10)) == 10
    assert fake.requests == [[str(i) for i in range(10)], ["3", "7"]]


def test_documents_still_refused_after_the_retries_make_the_index_unavailable(node):
    fake = node(refuse({"3"}, 429))
    with pytest.raises(IndexUnavailable, match="kept refusing 1 documents"):
        write(fake.url, actions(5))
    assert fake.requests[1:] == [["3"], ["3"]]  # two retries


def test_a_batch_answered_503_is_sent_again_whole(node):
    fake = node(lambda docs: (503, []), ok)
    assert write(fake.url, actions(4)) == 4
    assert fake.requests == [["0", "1", "2", "3"]] * 2


def test_a_node_that_refuses_connections_makes_the_index_unavailable():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(IndexUnavailable, match="bulk write failed"):
        write(f"http://127.0.0.1:{port}", actions(3))


def test_documents_refused_for_good_are_reported_unless_expected(node):
    mapping = {"type": "mapper_parsing_exception", "reason": "bad vector"}
    fake = node(refuse({"2"}, 400, mapping))
    with pytest.raises(BulkError, match="1 bulk actions failed, first: index 2: .*bad vector"):
        write(fake.url, actions(4))
    gone = {"type": "index_not_found_exception"}
    fake = node(refuse({"1"}, 404, gone))
    expected = lambda op, item: item["error"]["type"] == "index_not_found_exception"  # noqa: E731
    assert write(fake.url, actions(3), ignore=expected) == 2


def test_deleting_documents_that_are_not_there_counts_as_done(node):
    def not_found(docs):
        return 200, [
            {"delete": {"_id": m["delete"]["_id"], "status": 404, "result": "not_found"}}
            for m, _ in docs
        ]

    fake = node(not_found)
    assert write(fake.url, actions(3, op="delete")) == 3


def test_a_rebuild_sends_batches_concurrently_and_counts_every_document(node):
    fake = node(ok)
    assert write(fake.url, actions(95), batch_size=10, concurrency=3) == 95
    assert sorted(int(i) for ids in fake.requests for i in ids) == list(range(95))
    assert len(fake.requests) == 10
