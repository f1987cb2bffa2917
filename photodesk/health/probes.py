"""Is this process ready to serve: the database, the task broker, the search index and the
model files, each probed cheaply, with its status and how long the probe took.

Answers say which part is down and the exception's type, never its message: messages can
carry connection strings and credentials, and the probes are unauthenticated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections

from photodesk.conf import photodesk_settings


@dataclass
class ProbeResult:
    name: str
    ok: bool
    seconds: float
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": "ok" if self.ok else "down", "seconds": self.seconds}
        if self.detail:
            data["detail"] = self.detail
        return data


class ProbeFailed(Exception):
    """A probe's own verdict (`detail` is safe to show)."""


def database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def broker() -> None:
    """django-q2's broker answers (Redis: PING) and its queue can be read (ORM: the table)."""
    from django_q.brokers import get_broker  # needs the app registry: import late

    queue = get_broker()
    if queue.ping() is False:
        raise ProbeFailed("the broker does not answer")
    queue.queue_size()


def index() -> None:
    """A count through the configured backend, unless this process's write breaker says the
    index is known down (then no request: it would wait for the node's timeout)."""
    from photodesk.indexing import write_breaker
    from photodesk.search.index import get_index

    search_index = get_index()
    if write_breaker(search_index).is_open:
        raise ProbeFailed("known down: recent index writes failed (circuit breaker open)")
    client = getattr(search_index, "client", None)
    if client is not None:  # OpenSearch: one request, with the probe's own short timeout
        client.count(
            index=search_index.alias, request_timeout=photodesk_settings.HEALTH_INDEX_TIMEOUT
        )
    else:
        search_index.count()


def model_files() -> None:
    """Every model file the configured analyzers and embedder read is there, at its size (the
    W030/W031 system checks)."""
    from photodesk.checks import check_model_files

    problems = check_model_files(None)
    if problems:
        ids = ", ".join(sorted({m.id for m in problems}))
        raise ProbeFailed(f"{ids}: missing or damaged (`manage.py check` names the files)")


PROBES: dict[str, Callable[[], None]] = {
    "database": database,
    "broker": broker,
    "index": index,
    "model_files": model_files,
}


def run(name: str, probe: Callable[[], None]) -> ProbeResult:
    start = time.perf_counter()
    try:
        probe()
    except ProbeFailed as exc:
        return ProbeResult(name, False, _since(start), str(exc))
    except Exception as exc:
        return ProbeResult(name, False, _since(start), type(exc).__name__)
    return ProbeResult(name, True, _since(start))


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, the JSON body): every probe run, in order."""
    results = [run(name, probe) for name, probe in PROBES.items()]
    ready = all(r.ok for r in results)
    return ready, {
        "status": "ok" if ready else "unavailable",
        "checks": {r.name: r.as_dict() for r in results},
    }


def _since(start: float) -> float:
    return round(time.perf_counter() - start, 4)
