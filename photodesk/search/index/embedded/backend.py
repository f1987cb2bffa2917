"""The embedded index: SQLite store + snapshot + in-memory segments, searched with numpy."""

from __future__ import annotations

import math
import secrets
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photodesk.search.index.base import (
    FIELD_WEIGHTS,
    Hit,
    IndexDocument,
    IndexUnavailable,
    SearchIndex,
    SearchQuery,
    field_text,
    fuse,
)
from photodesk.search.index.embedded import legacy
from photodesk.search.index.embedded.segments import Segments
from photodesk.search.index.embedded.store import Store, encode
from photodesk.search.text.tokens import tokens

BM25_K1 = 1.2
BM25_B = 0.75
# A new snapshot after this many changes: what a process starting cold must replay from the
# store stays small, and writing the snapshot (a few hundred ms at 100k) is rare.
SNAPSHOT_AFTER = 1000


def stored_form(document: IndexDocument) -> dict[str, Any]:
    """What the index keeps of a document besides its vector: term frequencies per field
    (for the tags, each word counts once, as OpenSearch's `schema.to_source` writes them)
    and the filterable attributes."""
    terms: dict[str, dict[str, int]] = {}
    for name in FIELD_WEIGHTS:
        words = tokens(field_text(document, name))
        if name == "labels":
            words = list(dict.fromkeys(words))
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        if counts:
            terms[name] = counts
    return {"terms": terms, "attributes": document.attributes}


@dataclass(frozen=True)
class EmbeddedOptions:
    path: Path  # the folder holding the index (INDEX_PATH)


class EmbeddedIndex(SearchIndex):
    def __init__(self, options: EmbeddedOptions, *, dimension: int) -> None:
        self.options = options
        self.dimension = dimension
        self.path = Path(options.path)
        self.store = Store(self.path)
        self._lock = threading.RLock()
        self._segments: Segments | None = None
        self._snapshot = ""  # the snapshot folder the segments' base came from
        self._seq = 0  # the last change they hold

    # -- keeping up with other processes ---------------------------------------------------
    def _current(self) -> Segments:
        """The segments, brought up to date with every committed write (call with the lock)."""
        if self._segments is None and legacy.file(self.path).exists():
            self._migrate()
        for attempt in range(3):
            try:
                with self.store.reading() as connection:
                    self._catch_up(connection)
                return self._segments
            except FileNotFoundError:
                # A new snapshot replaced the one just named: read the store again.
                self._segments, self._snapshot = None, ""
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _catch_up(self, connection) -> None:
        name, snapshot_seq = self.store.snapshot(connection)
        head = self.store.head(connection)
        if self._segments is None or name != self._snapshot:
            self._segments = Segments.load(self.path / name) if name else Segments()
            self._snapshot, self._seq = name, snapshot_seq
        if head > self._seq:
            changed = self.store.changed_since(connection, self._seq)
            found = set()
            for doc_id, vector, stored in self.store.documents(connection, changed):
                self._segments.add(doc_id, vector, stored)
                found.add(doc_id)
            for doc_id in changed:
                if doc_id not in found:
                    self._segments.remove(doc_id)
            self._seq = head

    def _take_snapshot(self, connection, segments: Segments) -> None:
        """Write `segments` as the new snapshot, make it current (inside a write)."""
        seq = self.store.mark(connection)
        name = f"snapshot-{seq}-{secrets.token_hex(4)}"
        try:
            segments.write_snapshot(self.path / name, seq)
            self.store.set_snapshot(connection, name, seq)
        except BaseException:
            shutil.rmtree(self.path / name, ignore_errors=True)
            raise
        self._segments, self._snapshot, self._seq = Segments.load(self.path / name), name, seq

    def _drop_old_snapshots(self) -> None:
        # Processes still reading an old one keep their open maps; they load the new one
        # on their next search.
        for folder in self.path.glob("snapshot-*"):
            if folder.name != self._snapshot:
                shutil.rmtree(folder, ignore_errors=True)
        for folder in self.path.glob(".snapshot-*"):
            shutil.rmtree(folder, ignore_errors=True)

    def _snapshot_if_due(self) -> None:
        with self.store.reading() as connection:
            due = self.store.head(connection) - self.store.snapshot(connection)[1]
        if due < SNAPSHOT_AFTER:
            return
        with self.store.locked():
            with self.store.transaction() as connection:
                pending = self.store.head(connection) - self.store.snapshot(connection)[1]
                if pending < SNAPSHOT_AFTER:
                    return  # another process took it meanwhile
                self._catch_up(connection)
                self._take_snapshot(connection, self._segments)
            self._drop_old_snapshots()

    # -- writes ----------------------------------------------------------------------------
    def _check_dimension(self, document: IndexDocument, dimension: int) -> np.ndarray:
        vector = np.asarray(document.vector, np.float32)
        if vector.shape != (dimension,):
            # The text embedder changed (e.g. to Bedrock Titan): a whole new index is needed.
            raise IndexUnavailable(
                f"Image {document.id} has a {vector.shape[0]}-dimensional vector but the "
                f"index takes {dimension}-dimensional ones: run "
                "`manage.py reindex --re-embed`."
            )
        return vector

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        with self._lock:
            with self.store.writing() as connection:
                # What the stored vectors have; an empty index takes the embedder's.
                dimension = self.store.stored_dimension(connection) or self.dimension
                rows = [
                    (d.id, self._check_dimension(d, dimension), encode(stored_form(d)))
                    for d in documents
                ]
                self.store.put(connection, rows)
            self._snapshot_if_due()
        return len(documents)

    def delete(self, ids: Iterable[int]) -> None:
        ids = [int(i) for i in ids]
        if not ids:
            return
        with self._lock:
            with self.store.writing() as connection:
                self.store.remove(connection, ids)
            self._snapshot_if_due()

    def replace_all(self, documents: Iterable[IndexDocument]) -> int:
        rows = ((d.id, self._check_dimension(d, self.dimension), stored_form(d)) for d in documents)
        with self._lock, self.store.locked():
            with self.store.transaction() as connection:
                written = self._replace(connection, rows)
            self._after_replace()
        return written

    def _replace(self, connection, rows: Iterable[tuple[int, np.ndarray, dict]]) -> int:
        """Swap in these documents (inside a write); until it commits, searches in every
        process see the old ones."""
        self.store.clear(connection)
        fresh, batch, written = Segments(), [], 0
        for doc_id, vector, stored in rows:
            fresh.add(doc_id, vector, stored)
            batch.append((doc_id, vector, encode(stored)))
            written += 1
            if len(batch) == 1000:
                self.store.put(connection, batch)
                batch = []
        self.store.put(connection, batch)
        self._take_snapshot(connection, fresh)
        return written

    def _after_replace(self) -> None:
        legacy.file(self.path).unlink(missing_ok=True)
        self._drop_old_snapshots()

    def _migrate(self) -> None:
        """Read an index file of the earlier format once into the store, then remove it."""
        with self.store.locked():
            if not legacy.file(self.path).exists():
                return  # another process migrated it meanwhile
            try:
                rows = list(legacy.documents(self.path))
            except Exception as error:
                raise IndexUnavailable(
                    f"The index file {legacy.file(self.path)} has an earlier format and cannot "
                    f"be read ({error}): run `manage.py reindex`."
                ) from error
            with self.store.transaction() as connection:
                self._replace(connection, rows)
            self._after_replace()

    # -- reads -----------------------------------------------------------------------------
    def ids(self) -> set[int]:
        with self._lock:
            return set(self._current().slot_of)

    def count(self) -> int:
        with self._lock:
            return len(self._current().slot_of)

    def vector(self, doc_id: int) -> np.ndarray | None:
        with self._lock:
            return self._current().vector(doc_id)

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        with self._lock:
            segments = self._current()
            found = {doc_id: segments.vector(doc_id) for doc_id in ids}
        return {doc_id: v for doc_id, v in found.items() if v is not None}

    def search(self, query: SearchQuery) -> list[Hit]:
        with self._lock:
            return self._search(self._current(), query)

    def _search(self, segments: Segments, query: SearchQuery) -> list[Hit]:
        mask = segments.mask(query.filters)
        allowed = int(mask.sum())
        if not allowed:
            return []
        ids = segments.ids
        rankings, weights, scores = [], [], []
        sims = None
        if query.vectors and segments.dimension:
            if len(query.vectors[0]) != segments.dimension:
                raise IndexUnavailable(
                    f"The query vector has {len(query.vectors[0])} dimensions, the index "
                    f"{segments.dimension}: the text embedder changed; run "
                    "`manage.py reindex --re-embed`."
                )
            sims = segments.similarities(np.stack(query.vectors).astype(np.float32))
            for row in sims:
                top = _top(row, mask, ids, query.candidates)
                rankings.append(ids[top].tolist())
                scores.append(row[top].astype(float).tolist())
                weights.append(1.0 / len(sims))
        matched: dict[int, dict[str, list[str]]] = {}
        keyword_scores: dict[int, float] = {}
        field_weights = query.weights()
        if query.keywords and query.keyword_weight and field_weights:
            bm25, found, postings = _bm25(segments, query.keywords, mask, allowed, field_weights)
            top = _top(bm25, found, ids, query.candidates) if found.any() else []
            if len(top):
                rankings.append(ids[top].tolist())
                scores.append(bm25[top].tolist())
                weights.append(query.keyword_weight)
                keyword_scores = dict(zip(ids[top].tolist(), bm25[top].tolist(), strict=True))
                matched = _matched(top, ids, postings)
        fused = fuse(rankings, weights, scores=scores, method=query.fusion)
        best = {}
        if sims is not None and fused:
            slots = [segments.slot_of[doc_id] for doc_id in fused]
            best = dict(zip(fused, sims[:, slots].max(axis=0).tolist(), strict=True))
        hits = []
        for doc_id, score in fused.items():
            hit = Hit(doc_id, score, similarity=best.get(doc_id))
            if doc_id in keyword_scores:
                hit.keyword_score, hit.matched = keyword_scores[doc_id], matched[doc_id]
            hits.append(hit)
        hits.sort(key=lambda h: -h.score)
        return hits[: query.limit]


def _top(values: np.ndarray, mask: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """The k best slots among `mask`, best first, ties in id order (as OpenSearch sorts)."""
    candidates = np.flatnonzero(mask)
    if len(candidates) > k:
        chosen = values[candidates]
        threshold = np.partition(chosen, len(chosen) - k)[len(chosen) - k]
        candidates = candidates[chosen >= threshold]  # ties at the threshold kept for the sort
    order = np.lexsort((ids[candidates], -values[candidates].astype(np.float64)))
    return candidates[order[:k]]


def _bm25(
    segments: Segments, text: str, mask: np.ndarray, allowed: int, field_weights: dict
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, np.ndarray]]]:
    """BM25 over weighted fields among the allowed slots, with the statistics (document count,
    average length, document frequency) of those slots: the scores, which slots any word
    matched, and (field, word, slots) of every match, for the reasons."""
    scores = np.zeros(segments.n)
    found = np.zeros(segments.n, np.bool_)
    postings: list[tuple[str, str, np.ndarray]] = []
    words = list(dict.fromkeys(tokens(text)))
    if not words:
        return scores, found, postings
    n = allowed
    for name, weight in field_weights.items():
        lengths = segments.lengths[name].values
        avg = (float(lengths[mask].sum(dtype=np.float64)) / n) or 1.0
        for word in words:
            slots, tfs = segments.postings[name].of(word)
            keep = mask[slots]
            slots, tfs = slots[keep], tfs[keep]
            if not len(slots):
                continue
            idf = math.log(1 + (n - len(slots) + 0.5) / (len(slots) + 0.5))
            norm = (
                tfs
                * (BM25_K1 + 1)
                / (tfs + BM25_K1 * (1 - BM25_B + BM25_B * lengths[slots].astype(np.float64) / avg))
            )
            scores[slots] += weight * idf * norm
            found[slots] = True
            postings.append((name, word, slots))
    return scores, found, postings


def _matched(
    top: np.ndarray, ids: np.ndarray, postings: list[tuple[str, str, np.ndarray]]
) -> dict[int, dict[str, list[str]]]:
    """Which words of which field matched each of these slots."""
    matched: dict[int, dict[str, list[str]]] = {int(ids[s]): {} for s in top}
    wanted = np.zeros(len(ids), np.bool_)
    wanted[top] = True
    for name, word, slots in postings:
        for slot in slots[wanted[slots]].tolist():
            matched[int(ids[slot])].setdefault(name, []).append(word)
    return matched
