"""A per-run limit on AWS calls (backfills cost money) and a count of the calls made.

`manage.py analyze --budget N` runs inside `limited(N)`; every request made through
`calls.call` is charged to the innermost active budget, and one that would go over it raises
`BudgetExhausted` before anything is sent. Outside a budget, calls are not limited.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from photodesk.analysis.analyzers.base import AnalyzerError


class BudgetExhausted(AnalyzerError):
    """The run's budget of AWS calls is spent; nothing was sent. An analysis stopped by it
    fails with this message (its earlier facts kept) and is picked up by the next run; it is
    not retried by the queue, which would spend outside the budget."""


@dataclass
class Budget:
    limit: int | None = None  # None: only count
    used: Counter = field(default_factory=Counter)  # "rekognition:DetectLabels" → calls

    @property
    def total(self) -> int:
        return sum(self.used.values())

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.total)

    def affords(self, calls: int) -> bool:
        return self.limit is None or self.total + calls <= self.limit

    def charge(self, api: str) -> None:
        if not self.affords(1):
            raise BudgetExhausted(
                f"The budget of {self.limit} AWS calls for this run is spent "
                f"({format_counts(self.used)}); {api} was not called."
            )
        self.used[api] += 1


_current: ContextVar[Budget | None] = ContextVar("photodesk_aws_budget", default=None)


@contextmanager
def limited(max_calls: int | None) -> Iterator[Budget]:
    """Count (and with a number, limit) the AWS calls made inside the block."""
    budget = Budget(max_calls)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current() -> Budget | None:
    return _current.get()


def charge(api: str) -> None:
    budget = _current.get()
    if budget is not None:
        budget.charge(api)


def format_counts(counts: Counter | dict) -> str:
    if not counts:
        return "no calls"
    return ", ".join(f"{api} {n}" for api, n in sorted(counts.items()))
