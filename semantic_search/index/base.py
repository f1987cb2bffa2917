"""The index interface every backend implements (embedded here, OpenSearch in production).

A document carries one vector, weighted text fields for keyword matching and filterable
attributes. A query may have a vector, keyword text, or both (hybrid); both sides are ranked
separately and fused with reciprocal rank fusion by `fuse`, so every backend ranks alike.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Text fields and their weight in keyword scoring. Machine labels are not among them: exact
# words over classifier labels lost to the vector side alone and dragged the fusion down
# (benchmarks/quality.py); labels reach search through the vector and explain results.
FIELD_WEIGHTS: dict[str, float] = {
    "caption": 1.0,
    "ocr_text": 0.7,
    "metadata": 0.8,
    "people": 1.5,
}

RRF_K = 60


@dataclass
class IndexDocument:
    id: int
    vector: np.ndarray
    # field name (see FIELD_WEIGHTS) → text; for "labels", a list of (word, confidence 0-1).
    fields: dict[str, Any]
    # Filterable attributes: created (datetime), orientation, width, height, rights, flagged.
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Filters:
    exclude_ids: set[int] = field(default_factory=set)
    include_ids: set[int] | None = None
    rights_in: set[str] | None = None
    orientation: str | None = None  # "landscape", "portrait", "square"
    min_width: int | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    exclude_flagged: bool = False

    def accepts(self, doc_id: int, attributes: dict[str, Any]) -> bool:
        if doc_id in self.exclude_ids:
            return False
        if self.include_ids is not None and doc_id not in self.include_ids:
            return False
        if self.rights_in is not None and attributes.get("rights") not in self.rights_in:
            return False
        if self.exclude_flagged and attributes.get("flagged"):
            return False
        if self.orientation and attributes.get("orientation") != self.orientation:
            return False
        if self.min_width and (attributes.get("width") or 0) < self.min_width:
            return False
        created = attributes.get("created")
        if isinstance(created, str):
            created = dt.datetime.fromisoformat(created)
        if self.created_after and (created is None or created < self.created_after):
            return False
        return not (self.created_before and (created is None or created > self.created_before))


@dataclass
class SearchQuery:
    vectors: list[np.ndarray] = field(default_factory=list)  # several are fused (article parts)
    keywords: str = ""
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    # How many candidates each side ranks before fusion.
    candidates: int = 100
    keyword_weight: float = 1.0


@dataclass
class Hit:
    id: int
    score: float
    similarity: float | None = None  # best cosine similarity to a query vector
    keyword_score: float | None = None
    matched: dict[str, list[str]] = field(default_factory=dict)  # field → matched words


def fuse(rankings: list[list[int]], weights: list[float], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion: score(d) = sum_i w_i / (k + rank_i(d))."""
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return scores


def orientation_of(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    ratio = width / height
    return "landscape" if ratio > 1.1 else "portrait" if ratio < 0.9 else "square"


class IndexUnavailable(RuntimeError):
    """The index cannot be reached or read; the database still has everything."""


class IndexBusy(RuntimeError):
    """Another rebuild of the index is in progress."""


class SearchIndex(ABC):
    @classmethod
    @abstractmethod
    def from_settings(cls, conf: Any) -> SearchIndex: ...

    @abstractmethod
    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        """Add or replace documents; return how many were written."""

    @abstractmethod
    def delete(self, ids: Iterable[int]) -> None: ...

    @abstractmethod
    def search(self, query: SearchQuery) -> list[Hit]: ...

    @abstractmethod
    def ids(self) -> set[int]: ...

    @abstractmethod
    def vector(self, doc_id: int) -> np.ndarray | None: ...

    @abstractmethod
    def replace_all(self, documents: Iterable[IndexDocument]) -> int:
        """Rebuild from scratch; searches keep being answered by the old index until the
        new one is complete."""

    def count(self) -> int:
        return len(self.ids())

    # Used by `manage.py reconcile`; a backend that stores no fingerprints can still find
    # missing and orphaned documents, not stale ones.
    def fingerprint(self, document: IndexDocument) -> str | None:
        """A digest of the document as this backend would store it."""
        return None

    def fingerprints(self, deep: bool = False) -> dict[int, str | None]:
        """id → stored fingerprint of every document (None: unknown)."""
        return dict.fromkeys(self.ids())

    def mapping_problems(self) -> list[str]:
        """Why the whole index must be rebuilt (missing, built by other code); empty if not."""
        return []
