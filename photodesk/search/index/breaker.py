"""A circuit breaker on index writes: after a run of failures the index is known to be down,
and writes fail at once for a cool-off period instead of each waiting for the node's timeout.

While it is open the database still takes every analysis (marked index-pending); the
retry tasks catch up in bulk once a trial write succeeds. The process that finds the index
down tells the others (the web process, every worker) through a shared mark: Django's cache
when it is shared between processes, else a small file under CACHE_DIR (one machine). They
then fail fast too instead of each paying FAILURES slow writes; if the mark cannot be read
or written, each process still has its own breaker.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from photodesk.search.index.base import IndexUnavailable

T = TypeVar("T")
logger = logging.getLogger(__name__)


class SharedMark(Protocol):
    """Where processes tell each other the index is down: until when (wall clock), 0 if not."""

    def down_until(self) -> float: ...

    def mark_down(self, until: float) -> None: ...

    def clear(self) -> None: ...


class FileMark:
    """The mark in a file (a float): one stat and one small read per write on this machine."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def down_until(self) -> float:
        try:
            return float(self.path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0.0

    def mark_down(self, until: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a number.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".down-")
        with os.fdopen(fd, "w") as file:
            file.write(repr(until))
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class CacheMark:
    """The mark in a Django cache shared by every process (Redis, Memcached, the database)."""

    def __init__(self, cache: object, key: str) -> None:
        self.cache, self.key = cache, key

    def down_until(self) -> float:
        return float(self.cache.get(self.key) or 0)

    def mark_down(self, until: float) -> None:
        self.cache.set(self.key, until, timeout=max(1, int(until - time.time()) + 1))

    def clear(self) -> None:
        self.cache.delete(self.key)


# Caches that live inside one process: no use for telling the others.
_PROCESS_LOCAL_CACHES = ("LocMemCache", "DummyCache")


def shared_mark(index_key: str, cache_dir: Path) -> SharedMark:
    """The mark for the index that `index_key` names (hashed: it may hold credentials): the
    default Django cache if other processes see it, else a file in `cache_dir`."""
    digest = hashlib.sha256(index_key.encode()).hexdigest()[:16]
    try:
        from django.core.cache import caches

        cache = caches["default"]
        if type(cache).__name__ not in _PROCESS_LOCAL_CACHES:
            return CacheMark(cache, f"photodesk:index-down:{digest}")
    except Exception:  # no cache configured: the file will do
        pass
    return FileMark(Path(cache_dir) / "index-down" / digest)


class IndexKnownDown(IndexUnavailable):
    """The breaker is open: the write was not attempted."""


class Breaker:
    def __init__(
        self,
        failures: int,
        cool_off: float,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedMark | None = None,
        wall: Callable[[], float] = time.time,
    ):
        self.failures = failures
        self.cool_off = cool_off
        self.clock = clock
        self.shared = shared
        self.wall = wall  # the shared mark's clock: monotonic clocks differ between processes
        self._lock = threading.Lock()
        self._consecutive = 0
        self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._consecutive >= self.failures and self.clock() < self._open_until

    def call(self, write: Callable[[], T]) -> T:
        """Run `write` unless the index is known down; count its failure or success. After
        the cool-off one write is let through (a trial): its failure opens the breaker again."""
        with self._lock:
            if self._consecutive >= self.failures and self.clock() < self._open_until:
                left = self._open_until - self.clock()
                raise IndexKnownDown(
                    f"the index is known to be down ({self._consecutive} writes failed in a "
                    f"row); the next try is in {left:.0f} s"
                )
            if self._consecutive >= self.failures:
                # The trial: until it returns, other threads fail fast.
                self._open_until = self.clock() + self.cool_off
        marked = self._check_shared()
        try:
            result = write()
        except Exception:
            with self._lock:
                self._consecutive += 1
                opened = self._consecutive >= self.failures
                if opened:
                    self._open_until = self.clock() + self.cool_off
            if opened:
                self._tell_others(self.wall() + self.cool_off)
            raise
        with self._lock:
            failing, self._consecutive, self._open_until = self._consecutive, 0, 0.0
        if marked or failing >= self.failures:
            self._tell_others(0.0)
        return result

    def _check_shared(self) -> bool:
        """Fail fast if another process found the index down; when its mark has expired, this
        write is the trial (the mark is renewed so the others keep failing fast until it
        returns). Returns whether a mark was there."""
        if self.shared is None:
            return False
        try:
            until = self.shared.down_until()
        except Exception:  # the cache or the file is unreachable: per process only
            logger.debug("The shared index-down mark could not be read", exc_info=True)
            return False
        now = self.wall()
        if until > now:
            raise IndexKnownDown(
                f"the index is known to be down (another process found it so); the next try "
                f"is in {until - now:.0f} s"
            )
        if until:
            self._tell_others(now + self.cool_off)
        return bool(until)

    def _tell_others(self, until: float) -> None:
        if self.shared is None:
            return
        try:
            if until:
                self.shared.mark_down(until)
            else:
                self.shared.clear()
        except Exception:
            logger.debug("The shared index-down mark could not be written", exc_info=True)

    def reset(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._open_until = 0.0
        self._tell_others(0.0)


_breakers: dict[tuple[int, int, float], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker(
    index: object, failures: int, cool_off: float, shared: SharedMark | None = None
) -> Breaker:
    """The process's breaker for writes to `index` (one of get_index()'s cached instances:
    one per configuration, so another node or alias has its own) with these settings, telling
    other processes through `shared`."""
    with _breakers_lock:
        key = (id(index), failures, cool_off)
        if key not in _breakers:
            _breakers[key] = Breaker(failures, cool_off, shared=shared)
        return _breakers[key]


def reset_all() -> None:
    with _breakers_lock:
        for each in _breakers.values():
            each.reset()
