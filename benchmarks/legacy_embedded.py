"""The embedded index as it was before the SQLite store and snapshots: one index.npz
rewritten on every write, BM25 by Python loops over every document. Kept unchanged only as
the baseline benchmarks/scale.py measures in the same run; the app does not use it.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import threading
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
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
from photodesk.search.text.tokens import tokens

BM25_K1 = 1.2
BM25_B = 0.75
FORMAT_VERSION = 1


def _field_terms(name: str, value: Any) -> Counter:
    """Term frequencies of one field; for the labels, each word counts once (as in OpenSearch,
    where `schema.to_source` writes them the same way)."""
    terms: Counter = Counter()
    if name == "labels":
        terms.update(dict.fromkeys(tokens(value), 1))
    else:
        terms.update(tokens(value or ""))
    return terms


@dataclass(frozen=True)
class EmbeddedOptions:
    path: Path  # the folder holding index.npz (INDEX_PATH)


class EmbeddedIndex(SearchIndex):
    def __init__(self, options: EmbeddedOptions, *, dimension: int) -> None:
        self.options = options
        self.dimension = dimension
        self.path = Path(options.path)
        self.file = self.path / "index.npz"
        self._lock = threading.RLock()
        self._mtime: float | None = None
        self._ids: list[int] = []
        self._vectors = self._no_vectors()
        self._docs: dict[int, dict[str, Any]] = {}

    def _no_vectors(self) -> np.ndarray:
        return np.zeros((0, self.dimension), np.float32)

    # -- persistence ---------------------------------------------------------------------
    @contextmanager
    def _writing(self):
        """Serialise writers across processes; load the latest state first, save after."""
        self.path.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._refresh(force=True)
                yield
                self._save()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _refresh(self, force: bool = False) -> None:
        try:
            mtime = self.file.stat().st_mtime_ns
        except FileNotFoundError:
            self._ids, self._vectors, self._docs, self._mtime = [], self._no_vectors(), {}, None
            return
        if not force and mtime == self._mtime:
            return
        with np.load(self.file, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            self._ids = [int(i) for i in data["ids"]]
            self._vectors = data["vectors"].astype(np.float32)
        self._docs = {int(k): v for k, v in meta["docs"].items()}
        self._mtime = mtime

    def _save(self) -> None:
        tmp = self.path / f".index.{os.getpid()}.npz"
        meta = json.dumps({"format": FORMAT_VERSION, "docs": self._docs}, default=str)
        with open(tmp, "wb") as fh:
            np.savez(
                fh, ids=np.array(self._ids, np.int64), vectors=self._vectors, meta=np.array(meta)
            )
        os.replace(tmp, self.file)
        self._mtime = self.file.stat().st_mtime_ns

    def _read(self) -> None:
        with self._lock:
            self._refresh()

    # -- writes --------------------------------------------------------------------------
    @staticmethod
    def _doc(document: IndexDocument) -> dict[str, Any]:
        terms = {
            name: dict(_field_terms(name, field_text(document, name))) for name in FIELD_WEIGHTS
        }
        terms = {name: value for name, value in terms.items() if value}
        return {"terms": terms, "attributes": document.attributes}

    def _apply(self, documents: Iterable[IndexDocument]) -> int:
        position = {doc_id: i for i, doc_id in enumerate(self._ids)}
        rows = list(self._vectors) if self._vectors.size else []
        written = 0
        # What the stored vectors have; an empty index takes the embedder's dimension.
        dimension = self._vectors.shape[1] if self._vectors.size else self.dimension
        for document in documents:
            vector = np.asarray(document.vector, np.float32)
            if vector.shape != (dimension,):
                # The text embedder changed (e.g. to Bedrock Titan): a whole new index is needed.
                raise IndexUnavailable(
                    f"Image {document.id} has a {vector.shape[0]}-dimensional vector but the "
                    f"index takes {dimension}-dimensional ones: run "
                    "`manage.py reindex --re-embed`."
                )
            if document.id in position:
                rows[position[document.id]] = vector
            else:
                position[document.id] = len(self._ids)
                self._ids.append(document.id)
                rows.append(vector)
            self._docs[document.id] = self._doc(document)
            written += 1
        self._vectors = np.stack(rows) if rows else self._no_vectors()
        return written

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        with self._writing():
            return self._apply(documents)

    def delete(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        with self._writing():
            keep = [i for i, doc_id in enumerate(self._ids) if doc_id not in gone]
            self._ids = [self._ids[i] for i in keep]
            self._vectors = self._vectors[keep] if keep else self._no_vectors()
            for doc_id in gone:
                self._docs.pop(doc_id, None)

    def replace_all(self, documents: Iterable[IndexDocument]) -> int:
        with self._writing():
            self._ids, self._vectors, self._docs = [], self._no_vectors(), {}
            return self._apply(documents)

    # -- reads ---------------------------------------------------------------------------
    def ids(self) -> set[int]:
        self._read()
        return set(self._ids)

    def vector(self, doc_id: int) -> np.ndarray | None:
        self._read()
        try:
            return self._vectors[self._ids.index(doc_id)]
        except ValueError:
            return None

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        self._read()
        with self._lock:
            position = {doc_id: i for i, doc_id in enumerate(self._ids)}
            return {d: self._vectors[position[d]] for d in ids if d in position}

    def search(self, query: SearchQuery) -> list[Hit]:
        self._read()
        with self._lock:
            ids, vectors, docs = self._ids, self._vectors, self._docs
        allowed = [
            i
            for i, doc_id in enumerate(ids)
            if query.filters.accepts(doc_id, docs[doc_id]["attributes"])
        ]
        if not allowed:
            return []
        hits: dict[int, Hit] = {}
        rankings, weights, scores = [], [], []
        if query.vectors and vectors.size:
            if len(query.vectors[0]) != vectors.shape[1]:
                raise IndexUnavailable(
                    f"The query vector has {len(query.vectors[0])} dimensions, the index "
                    f"{vectors.shape[1]}: the text embedder changed; run "
                    "`manage.py reindex --re-embed`."
                )
            sims = np.stack(query.vectors) @ vectors[allowed].T  # [queries, allowed]
            for row in sims:
                order = np.argsort(-row, kind="stable")[: query.candidates]
                rankings.append([ids[allowed[j]] for j in order])
                scores.append([float(row[j]) for j in order])
                weights.append(1.0 / len(sims))
            best = sims.max(axis=0)
            for j, i in enumerate(allowed):
                hits[ids[i]] = Hit(ids[i], 0.0, similarity=float(best[j]))
        field_weights = query.weights()
        if query.keywords and query.keyword_weight and field_weights:
            scored = self._bm25(query.keywords, [ids[i] for i in allowed], docs, field_weights)
            ranked = sorted(scored.items(), key=lambda kv: -kv[1][0])[: query.candidates]
            if ranked:
                rankings.append([doc_id for doc_id, _ in ranked])
                scores.append([score for _, (score, _) in ranked])
                weights.append(query.keyword_weight)
            for doc_id, (score, matched) in ranked:
                hit = hits.setdefault(doc_id, Hit(doc_id, 0.0))
                hit.keyword_score, hit.matched = score, matched
        fused = fuse(rankings, weights, scores=scores, method=query.fusion)
        for doc_id, score in fused.items():
            hits[doc_id].score = score
        ordered = sorted((hits[d] for d in fused), key=lambda h: -h.score)
        return ordered[: query.limit]

    @staticmethod
    def _bm25(
        text: str, candidate_ids: list[int], docs: dict[int, dict], field_weights: dict
    ) -> dict[int, tuple]:
        query_terms = set(tokens(text))
        if not query_terms or not candidate_ids:
            return {}
        n = len(candidate_ids)
        scores: dict[int, tuple[float, dict[str, list[str]]]] = {}
        for name, weight in field_weights.items():
            lengths = {d: sum(docs[d]["terms"].get(name, {}).values()) for d in candidate_ids}
            avg = (sum(lengths.values()) / n) or 1.0
            for term in query_terms:
                having = [d for d in candidate_ids if term in docs[d]["terms"].get(name, {})]
                if not having:
                    continue
                idf = math.log(1 + (n - len(having) + 0.5) / (len(having) + 0.5))
                for d in having:
                    tf = docs[d]["terms"][name][term]
                    norm = (
                        tf
                        * (BM25_K1 + 1)
                        / (tf + BM25_K1 * (1 - BM25_B + BM25_B * lengths[d] / avg))
                    )
                    score, matched = scores.get(d, (0.0, {}))
                    matched.setdefault(name, []).append(term)
                    scores[d] = (score + weight * idf * norm, matched)
        return scores
