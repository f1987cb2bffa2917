"""The index interface every backend implements (embedded.py by default, opensearch/ in
production).

A document carries one vector, weighted text fields for keyword matching and filterable
attributes. A query may have a vector, keyword text, or both (hybrid); both sides are ranked
separately and fused by `fuse` (reciprocal rank fusion, or normalised scores), so every backend
ranks alike.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Text fields and their weight in keyword scoring (a field at 0 is indexed but not scored).
# "labels" are the image's tags (each word counted once). Measured on the eval photos
# (benchmarks/quality.py, README "Search quality"): with tags at 0.5 the fused Recall@10 was
# 0.440, without 0.444 (vector side alone 0.442): the vector side already carries what the
# classifier saw, so tags stay off the keyword side; a query can turn them on (field_weights).
FIELD_WEIGHTS: dict[str, float] = {
    "caption": 1.0,
    "ocr_text": 0.7,
    "metadata": 0.8,
    "people": 1.5,
    "labels": 0.0,
    # Title and summary of the articles that use the image: weak words (an article is about
    # its story, the photo shows part of it), under every field people wrote about the photo.
    "usage": 0.3,
}

RRF_K = 60
FUSION_METHODS = ("rrf", "scores")


@dataclass
class IndexDocument:
    id: int
    vector: np.ndarray
    # field name (see FIELD_WEIGHTS) → text; for "labels" (the tags), a list of
    # (name, confidence 0-1).
    fields: dict[str, Any]
    # Filterable attributes: created (datetime), orientation, width, height, rights, flagged,
    # people_ids (ids of the people shown), labels (tag names, lower case), media ("video"
    # for a video's shot, see video_doc_id; absent for an image).
    attributes: dict[str, Any] = field(default_factory=dict)


# A video's shots are documents of their own, beside the images: their ids start at 2**50
# (image ids, the site's primary keys, stay far below), SHOTS_PER_VIDEO per video, and stay
# exact in a JSON double (below 2**53).
VIDEO_DOC_BASE = 1 << 50
SHOTS_PER_VIDEO = 1 << 12
MEDIA_TYPES = ("image", "video")


def video_doc_id(video_id: int, shot_number: int) -> int:
    if not 0 <= shot_number < SHOTS_PER_VIDEO:
        raise ValueError(f"A video has at most {SHOTS_PER_VIDEO} indexed shots.")
    return VIDEO_DOC_BASE + int(video_id) * SHOTS_PER_VIDEO + shot_number


def is_video_doc(doc_id: int) -> bool:
    return int(doc_id) >= VIDEO_DOC_BASE


def video_of(doc_id: int) -> tuple[int, int]:
    """(video id, shot number) of a shot document's id."""
    return divmod(int(doc_id) - VIDEO_DOC_BASE, SHOTS_PER_VIDEO)


def media_of(attributes: dict[str, Any]) -> str:
    return attributes.get("media") or "image"


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
    people_ids: set[int] | None = None  # images showing all of these people
    labels: set[str] | None = None  # images tagged with all of these labels (any case)
    # "image" (the default: what image search and suggestions have always returned), "video"
    # (videos' shots), or None for both.
    media: str | None = "image"

    def accepts(self, doc_id: int, attributes: dict[str, Any]) -> bool:
        if doc_id in self.exclude_ids:
            return False
        if self.media is not None and media_of(attributes) != self.media:
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
        if self.people_ids and not {int(i) for i in self.people_ids} <= {
            int(i) for i in attributes.get("people_ids") or []
        }:
            return False
        if self.labels and not {label_key(n) for n in self.labels} <= {
            label_key(n) for n in attributes.get("labels") or []
        }:
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
    # "rrf" (reciprocal rank fusion) or "scores" (each side's scores normalised, then added).
    fusion: str = "rrf"
    # Keyword field weights for this query (None: FIELD_WEIGHTS); a field at 0 is not used.
    field_weights: dict[str, float] | None = None

    def weights(self) -> dict[str, float]:
        weights = FIELD_WEIGHTS if self.field_weights is None else self.field_weights
        return {name: w for name, w in weights.items() if w and name in FIELD_WEIGHTS}


@dataclass
class Hit:
    id: int
    score: float
    similarity: float | None = None  # best cosine similarity to a query vector
    keyword_score: float | None = None
    matched: dict[str, list[str]] = field(default_factory=dict)  # field → matched words
    # Its stored vector when the search read it anyway (OpenSearch, for the similarity to
    # several query vectors): diversity then needs no second read.
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)


def fuse(
    rankings: list[list[int]],
    weights: list[float],
    k: int = RRF_K,
    *,
    scores: list[list[float]] | None = None,
    method: str = "rrf",
) -> dict[int, float]:
    """Fuse rankings (best first) into one score per document.

    "rrf": reciprocal rank fusion, score(d) = sum_i w_i / (k + rank_i(d)).
    "scores": each ranking's scores (parallel to it) min-max normalised over its candidates
    (as OpenSearch's hybrid normalization processor does), so a cosine and a BM25 score become
    comparable, then sum_i w_i * normalised_i(d). Unlike RRF it keeps how much better the
    first result is than the tenth.
    """
    if method not in FUSION_METHODS:
        raise ValueError(f"Unknown fusion method {method!r}; use one of {FUSION_METHODS}.")
    fused: dict[int, float] = {}
    if method == "rrf" or scores is None:
        for ranking, weight in zip(rankings, weights, strict=True):
            for rank, doc_id in enumerate(ranking, start=1):
                fused[doc_id] = fused.get(doc_id, 0.0) + weight / (k + rank)
        return fused
    for ranking, weight, values in zip(rankings, weights, scores, strict=True):
        if not values:
            continue
        low, high = min(values), max(values)
        spread = high - low
        for doc_id, value in zip(ranking, values, strict=True):
            norm = (value - low) / spread if spread > 0 else 1.0
            fused[doc_id] = fused.get(doc_id, 0.0) + weight * norm
    for ranking in rankings:  # documents that only scored 0 still count as found
        for doc_id in ranking:
            fused.setdefault(doc_id, 0.0)
    return fused


def field_text(document: IndexDocument, name: str) -> str:
    """The text of a keyword field. For "labels": the tag names (their confidence already
    decided that they are there, so every word counts once)."""
    if name != "labels":
        return str(document.fields.get(name) or "")
    return " ".join(dict.fromkeys(str(word) for word, _ in document.fields.get("labels") or []))


def label_key(name: str) -> str:
    return " ".join(str(name).casefold().split())


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
    """A backend is made from its own options and the vector dimension of the configured text
    embedder, `Backend(options, dimension=...)`; `get_index()` reads both from the settings."""

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

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        """Stored vectors of these documents (missing ones left out)."""
        found = {doc_id: self.vector(doc_id) for doc_id in ids}
        return {doc_id: v for doc_id, v in found.items() if v is not None}

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
