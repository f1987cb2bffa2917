"""Talking to OpenSearch: a client, retries with backoff, batched bulk writes (opensearch-py's
streaming_bulk)."""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError
from opensearchpy.helpers import streaming_bulk

from photodesk.search.index.base import IndexUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Statuses worth another try: too many requests, and a node or proxy that is (re)starting.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class ConnectionOptions:
    url: str
    username: str | None = None
    password: str | None = None
    verify_certs: bool = True
    ca_certs: str | None = None
    timeout: float = 10.0


def make_client(options: ConnectionOptions) -> OpenSearch:
    """A client for `options.url`. Credentials may be in the URL (https://user:pw@host) or
    given separately; TLS is used for https URLs, verified unless told otherwise.
    The client itself does not retry: `with_backoff` does, with growing pauses."""
    kwargs: dict[str, Any] = {
        "hosts": [options.url],
        "timeout": options.timeout,
        "max_retries": 0,
        "retry_on_timeout": False,
        # Web servers search from several threads at once: keep a connection for each.
        "pool_maxsize": 16,
    }
    if options.username:
        kwargs["http_auth"] = (options.username, options.password or "")
    if options.url.startswith("https://"):
        kwargs["verify_certs"] = options.verify_certs
        kwargs["ssl_show_warn"] = options.verify_certs
        if options.ca_certs:
            kwargs["ca_certs"] = options.ca_certs
    return OpenSearch(**kwargs)


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, OSConnectionError):  # refused, reset, timed out
        return True
    return isinstance(exc, TransportError) and exc.status_code in RETRYABLE_STATUSES


def with_backoff(call: Callable[[], T], *, retries: int, backoff: float, what: str) -> T:
    """Run `call`, retrying transient failures `retries` times with doubling pauses; then
    raise IndexUnavailable (the caller decides whether that is worth a later retry)."""
    for attempt in itertools.count():
        try:
            return call()
        except Exception as exc:
            if not is_retryable(exc):
                raise
            if attempt >= retries:
                raise IndexUnavailable(f"OpenSearch: {what} failed: {exc}") from exc
            pause = backoff * 2**attempt
            logger.warning("OpenSearch: %s failed (%s); retrying in %.1f s", what, exc, pause)
            time.sleep(pause)
    raise AssertionError("unreachable")


class BulkError(RuntimeError):
    """Some documents were refused by OpenSearch for a reason retrying will not fix."""


# Which per-document errors are expected: ignore(op, item) -> True to skip.
Ignore = Callable[[str, dict[str, Any]], bool]

# An action: its metadata line ({"index": {...}} / {"delete": {...}}) and its source or None.
Action = tuple[dict[str, Any], dict[str, Any] | None]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def refresh_param(refresh: str | bool | None) -> str:
    """The bulk API's refresh: "false", "true" or "wait_for" (settings may say True/False)."""
    if isinstance(refresh, bool) or refresh is None:
        return "true" if refresh else "false"
    return str(refresh).lower()


@dataclass(frozen=True)
class BulkOptions:
    batch_size: int
    retries: int
    backoff: float
    refresh: str | bool = False
    require_alias: bool = False
    # Batches in flight at once: 1 keeps order (single writes); a rebuild uses more so the
    # next batch is prepared and sent while the node indexes the previous one.
    concurrency: int = 1


def bulk(
    client: OpenSearch,
    actions: Iterable[Action],
    options: BulkOptions,
    ignore: Ignore | None = None,
) -> int:
    """Send actions in batches; return how many succeeded. Whole batches are retried on
    connection errors and 5xx, single documents on 429 (queue full), with backoff.
    `ignore(op, item)` says which per-document errors are expected (a delete of a document
    that is not there, a write to an alias that has just gone)."""
    batches = batched(actions, options.batch_size)
    if options.concurrency <= 1:
        return sum(_send(client, batch, options, ignore) for batch in batches)
    # Not helpers.parallel_bulk: it retries neither a batch whose request failed nor the
    # documents refused with 429, which a rebuild under load needs.
    done = 0
    with ThreadPoolExecutor(options.concurrency) as pool:
        in_flight: deque[Future[int]] = deque()
        for batch in batches:
            in_flight.append(pool.submit(_send, client, batch, options, ignore))
            if len(in_flight) >= options.concurrency:
                done += in_flight.popleft().result()
        while in_flight:
            done += in_flight.popleft().result()
    return done


def _send(
    client: OpenSearch,
    batch: list[Action],
    options: BulkOptions,
    ignore: Ignore | None,
) -> int:
    """One batch through opensearch-py's streaming_bulk, which retries the documents refused
    with 429 (doubling pauses from `backoff`); a request that fails as a whole (connection,
    5xx) is sent again by `with_backoff`. Documents are written by id, so a resend is safe."""
    params: dict[str, Any] = {"refresh": refresh_param(options.refresh)}
    if options.require_alias:
        params["require_alias"] = "true"

    def send() -> list[tuple[bool, dict[str, Any]]]:
        return list(
            streaming_bulk(
                client,
                batch,
                chunk_size=len(batch),
                expand_action_callback=lambda action: action,  # already (meta, source)
                raise_on_error=False,  # per-document errors are sorted out below
                max_retries=options.retries,
                initial_backoff=options.backoff,
                max_backoff=options.backoff * 2**options.retries,
                params=params,
            )
        )

    results = with_backoff(
        send, retries=options.retries, backoff=options.backoff, what="bulk write"
    )
    done, throttled = 0, 0
    errors: list[str] = []
    for ok, item in results:
        op, result = next(iter(item.items()))
        if ok or (op == "delete" and result.get("result") == "not_found"):
            done += 1
        elif result.get("status") == 429:  # still refused after the retries
            throttled += 1
        elif ignore is None or not ignore(op, result):
            errors.append(f"{op} {result.get('_id')}: {result.get('error')}")
    if errors:
        raise BulkError(f"{len(errors)} bulk actions failed, first: {errors[0]}")
    if throttled:
        raise IndexUnavailable(f"OpenSearch kept refusing {throttled} documents (429)")
    return done
