"""A circuit breaker on index writes: after a run of failures the index is known to be down,
and writes fail at once for a cool-off period instead of each waiting for the node's timeout.

While it is open the database still takes every analysis (marked index-pending); the
retry tasks catch up in bulk once a trial write succeeds. The state is per process: each
worker learns on its own that the index is down, at the cost of FAILURES slow writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from photodesk.search.index.base import IndexUnavailable

T = TypeVar("T")


class IndexKnownDown(IndexUnavailable):
    """The breaker is open: the write was not attempted."""


class Breaker:
    def __init__(self, failures: int, cool_off: float, clock: Callable[[], float] = time.monotonic):
        self.failures = failures
        self.cool_off = cool_off
        self.clock = clock
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
        try:
            result = write()
        except Exception:
            with self._lock:
                self._consecutive += 1
                if self._consecutive >= self.failures:
                    self._open_until = self.clock() + self.cool_off
            raise
        with self._lock:
            self._consecutive = 0
            self._open_until = 0.0
        return result

    def reset(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._open_until = 0.0


_breakers: dict[tuple[int, int, float], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker(index: object, failures: int, cool_off: float) -> Breaker:
    """The process's breaker for writes to `index` (one of get_index()'s cached instances:
    one per configuration, so another node or alias has its own) with these settings."""
    with _breakers_lock:
        key = (id(index), failures, cool_off)
        if key not in _breakers:
            _breakers[key] = Breaker(failures, cool_off)
        return _breakers[key]


def reset_all() -> None:
    with _breakers_lock:
        for each in _breakers.values():
            each.reset()
