"""What operators read about the running app: Prometheus counters and histograms updated where
the work happens (analysis steps, index writes, searches, notifications), and the fields of
one structured log line (image id, task id, durations).

The web process and the worker are different processes, each updating its own copies. With
PROMETHEUS_MULTIPROC_DIR set to one directory for both, prometheus-client keeps them in files
there and /metrics (photodesk/metrics/) adds them up; without it /metrics shows only what the
web process itself observed. Figures the database knows (analyses by state, queue depth, index
lag) are not kept here: /metrics reads them at scrape time.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from prometheus_client import Counter, Histogram

T = TypeVar("T")

ANALYSIS_STEP_SECONDS = Histogram(
    "photodesk_analysis_step_duration_seconds",
    "Seconds one step of an image's analysis took: decode, each analyzer, the embedding.",
    ["step"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
INDEX_WRITE_FAILURES = Counter(
    "photodesk_index_write_failures",
    "Index writes that failed (the index down, or refused at once while known down).",
    ["operation"],
)
INDEX_RETRIES = Counter(
    "photodesk_index_retries", "Index writes scheduled again after a failure (retry tasks)."
)
SEARCH_SECONDS = Histogram(
    "photodesk_search_duration_seconds",
    "Seconds one search, suggestion or similar-images request took in the search service.",
    ["kind"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
NOTIFICATIONS_SENT = Counter(
    "photodesk_notifications_sent",
    "Alerts sent about flagged images, by channel (email, webhook).",
    ["channel"],
)


def timed(kind: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a search function: its duration goes to SEARCH_SECONDS{kind}."""

    def decorate(func: Callable[..., T]) -> Callable[..., T]:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            with SEARCH_SECONDS.labels(kind).time():
                return func(*args, **kwargs)

        return wrapper

    return decorate


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """`with stopwatch() as elapsed:` ... `elapsed()` seconds so far (rounded to 0.1 ms)."""
    start = time.perf_counter()
    yield lambda: round(time.perf_counter() - start, 4)


# --- the task a log line belongs to ----------------------------------------------------------

_task: contextvars.ContextVar[dict | None] = contextvars.ContextVar("photodesk_task", default=None)


def task_started(sender: Any = None, func: Any = None, task: dict | None = None, **_: Any) -> None:
    """django-q2's pre_execute signal, in the worker: later log lines name this task."""
    _task.set({"id": (task or {}).get("id"), "name": (task or {}).get("name")})


def current_task_id() -> str | None:
    task = _task.get()
    return task["id"] if task else None


def log_fields(**fields: Any) -> dict[str, Any]:
    """`extra=` of one log line: the given fields (image_id, seconds, …) and the django-q2
    task running, so a JSON formatter prints them as keys of that line."""
    task = _task.get()
    if task and task["id"]:
        fields.setdefault("task_id", task["id"])
        fields.setdefault("task_name", task["name"])
    return fields
