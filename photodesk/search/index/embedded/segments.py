"""The in-memory index one process searches: a base segment read from a snapshot (its vectors
and postings memory-mapped, never modified) plus the documents written since, appended.

A document lives in one slot. Replacing it appends a new slot and marks the old one dead;
dead slots are masked out of every search until the next snapshot (`write_snapshot`) folds
base and appended documents into a new, compact base. Every column is a numpy array, so a
filter is a vectorised mask and BM25 reads a term's postings as two arrays.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from photodesk.search.index.base import FIELD_WEIGHTS, Filters, label_key

FIELDS = tuple(FIELD_WEIGHTS)
FORMAT_VERSION = 3  # 3: the media column (videos' shots)
# Formats read as well: a column added since is filled with its default.
READABLE_FORMATS = {2: {"video": False}, FORMAT_VERSION: {}}
# Filters the mask below applies (a test checks that none is forgotten).
HANDLED_FILTERS = frozenset(
    {
        "exclude_ids",
        "include_ids",
        "rights_in",
        "orientation",
        "min_width",
        "created_after",
        "created_before",
        "exclude_flagged",
        "people_ids",
        "labels",
        "media",
    }
)


class Growable:
    """A numpy column that grows by appending (capacity doubles)."""

    def __init__(self, dtype: Any, initial: np.ndarray | None = None, width: int = 0) -> None:
        tail = (width,) if width else ()
        initial = np.empty((0, *tail), dtype) if initial is None else np.asarray(initial, dtype)
        self.n = len(initial)
        self.data = np.empty((max(64, self.n + self.n // 4), *tail), dtype)
        self.data[: self.n] = initial

    def append(self, value: Any) -> None:
        if self.n == len(self.data):
            bigger = np.empty((2 * len(self.data), *self.data.shape[1:]), self.data.dtype)
            bigger[: self.n] = self.data[: self.n]
            self.data = bigger
        self.data[self.n] = value
        self.n += 1

    @property
    def values(self) -> np.ndarray:
        return self.data[: self.n]


class Codes:
    """Small integer codes for the values of an attribute (rights, orientation, tag names)."""

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self.values = list(values)
        self.index = {v: i for i, v in enumerate(self.values)}

    def code(self, value: Any) -> int:
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
        return self.index[value]


class Postings:
    """One field's inverted index: the base's in CSC form (term → slots, term frequencies),
    the appended documents' as unsorted (term, slot, tf) triples, scanned per query term."""

    def __init__(
        self,
        vocabulary: list[str] | None = None,
        indptr: np.ndarray | None = None,
        slots: np.ndarray | None = None,
        tfs: np.ndarray | None = None,
    ) -> None:
        self.vocabulary = vocabulary or []
        self.base = {term: i for i, term in enumerate(self.vocabulary)}
        self.indptr = np.zeros(1, np.int64) if indptr is None else indptr
        self.slots = np.zeros(0, np.int32) if slots is None else slots
        self.tfs = np.zeros(0, np.float32) if tfs is None else tfs
        self.added = Codes()
        self.added_terms = Growable(np.int32)
        self.added_slots = Growable(np.int32)
        self.added_tfs = Growable(np.float32)

    def add(self, slot: int, terms: dict[str, int]) -> None:
        for term, tf in terms.items():
            self.added_terms.append(self.added.code(term))
            self.added_slots.append(slot)
            self.added_tfs.append(tf)

    def of(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Slots having the term, and its frequency in each (dead slots included)."""
        slots, tfs = [], []
        j = self.base.get(term)
        if j is not None:
            start, stop = self.indptr[j], self.indptr[j + 1]
            slots.append(self.slots[start:stop])
            tfs.append(self.tfs[start:stop])
        code = self.added.index.get(term)
        if code is not None:
            where = self.added_terms.values == code
            slots.append(self.added_slots.values[where])
            tfs.append(self.added_tfs.values[where])
        if not slots:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(slots).astype(np.int64), np.concatenate(tfs).astype(np.float64)

    def compacted(self, remap: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Base and appended postings merged, slots renumbered by `remap` (-1: dead)."""
        merged = sorted(set(self.vocabulary) | set(self.added.values))
        position = {term: i for i, term in enumerate(merged)}
        base_map = np.array([position[t] for t in self.vocabulary], np.int64)
        added_map = np.array([position[t] for t in self.added.values], np.int64)
        base_terms = np.repeat(np.arange(len(self.vocabulary)), np.diff(self.indptr))
        terms = np.concatenate([base_map[base_terms], added_map[self.added_terms.values]])
        slots = remap[np.concatenate([self.slots, self.added_slots.values]).astype(np.int64)]
        tfs = np.concatenate([self.tfs, self.added_tfs.values])
        keep = slots >= 0
        terms, slots, tfs = terms[keep], slots[keep], tfs[keep]
        order = np.lexsort((slots, terms))
        terms, slots, tfs = terms[order], slots[order], tfs[order]
        used, terms = np.unique(terms, return_inverse=True)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(terms, minlength=len(used)))])
        vocabulary = [merged[i] for i in used]
        return vocabulary, indptr.astype(np.int64), slots.astype(np.int32), tfs.astype(np.float32)


def _timestamp(value: Any) -> float:
    if value is None or value == "":
        return math.nan
    created = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return created.timestamp()


def _moment(value: dt.datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


class Segments:
    """Every document of the index, by slot; see the module docstring."""

    # Per-slot scalar columns: name → dtype.
    COLUMNS = {
        "ids": np.int64,
        "rights": np.int32,
        "orientation": np.int32,
        "width": np.int64,
        "created": np.float64,
        "flagged": np.bool_,
        "video": np.bool_,
    }

    def __init__(self, base: dict[str, Any] | None = None) -> None:
        base = base or {}
        self.base_vectors: np.ndarray | None = base.get("vectors")
        self.base_count = 0 if self.base_vectors is None else len(self.base_vectors)
        self.added_vectors: Growable | None = None
        self.columns = {name: Growable(t, base.get(name)) for name, t in self.COLUMNS.items()}
        self.live = Growable(np.bool_, np.ones(self.base_count, np.bool_))
        lengths = base.get("lengths")
        self.lengths = {
            f: Growable(np.float32, None if lengths is None else lengths[:, i])
            for i, f in enumerate(FIELDS)
        }
        self.postings = {f: Postings(*base["postings"][f]) if base else Postings() for f in FIELDS}
        self.rights = Codes(base.get("rights_values", []))
        self.orientations = Codes(base.get("orientation_values", []))
        self.label_names = Codes(base.get("label_values", []))
        self.people_slots = Growable(np.int32, base.get("people_slots"))
        self.people_values = Growable(np.int64, base.get("people_values"))
        self.label_slots = Growable(np.int32, base.get("label_slots"))
        self.label_codes = Growable(np.int32, base.get("label_codes"))
        ids = self.columns["ids"].values.tolist()
        self.slot_of: dict[int, int] = dict(zip(ids, range(len(ids)), strict=True))

    # -- size and vectors ------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.live.n

    @property
    def ids(self) -> np.ndarray:
        return self.columns["ids"].values

    @property
    def dimension(self) -> int | None:
        if self.base_vectors is not None and self.base_count:
            return self.base_vectors.shape[1]
        return None if self.added_vectors is None else self.added_vectors.data.shape[1]

    def vector(self, doc_id: int) -> np.ndarray | None:
        slot = self.slot_of.get(doc_id)
        if slot is None:
            return None
        if slot < self.base_count:
            return np.array(self.base_vectors[slot])
        return self.added_vectors.values[slot - self.base_count].copy()

    def similarities(self, queries: np.ndarray) -> np.ndarray:
        """Dot products of the query vectors with every slot's vector: [queries, slots]."""
        parts = []
        if self.base_count:
            parts.append(queries @ self.base_vectors.T)
        if self.added_vectors is not None and self.added_vectors.n:
            parts.append(queries @ self.added_vectors.values.T)
        if not parts:
            return np.zeros((len(queries), 0), np.float32)
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)

    # -- writes ----------------------------------------------------------------------------
    def remove(self, doc_id: int) -> None:
        slot = self.slot_of.pop(doc_id, None)
        if slot is not None:
            self.live.data[slot] = False

    def add(self, doc_id: int, vector: np.ndarray, stored: dict[str, Any]) -> None:
        """Add or replace a document; `stored` is its {"terms", "attributes"} (see store)."""
        self.remove(doc_id)
        if self.added_vectors is None:
            self.added_vectors = Growable(np.float32, width=len(vector))
        slot = self.n
        self.added_vectors.append(vector)
        self.live.append(True)
        terms = stored.get("terms") or {}
        for name in FIELDS:
            field_terms = terms.get(name) or {}
            self.lengths[name].append(sum(field_terms.values()))
            if field_terms:
                self.postings[name].add(slot, field_terms)
        attributes = stored.get("attributes") or {}
        column = self.columns
        column["ids"].append(doc_id)
        column["rights"].append(self.rights.code(attributes.get("rights")))
        column["orientation"].append(self.orientations.code(attributes.get("orientation")))
        column["width"].append(attributes.get("width") or 0)
        column["created"].append(_timestamp(attributes.get("created")))
        column["flagged"].append(bool(attributes.get("flagged")))
        column["video"].append(attributes.get("media") == "video")
        for person in attributes.get("people_ids") or []:
            self.people_slots.append(slot)
            self.people_values.append(int(person))
        for name in dict.fromkeys(label_key(n) for n in attributes.get("labels") or []):
            self.label_slots.append(slot)
            self.label_codes.append(self.label_names.code(name))
        self.slot_of[doc_id] = slot

    # -- filters ---------------------------------------------------------------------------
    def mask(self, filters: Filters) -> np.ndarray:
        """Slots that are live and pass the filters (what `Filters.accepts` says, vectorised)."""
        mask = self.live.values.copy()
        column = {name: c.values for name, c in self.columns.items()}
        for doc_id in filters.exclude_ids:
            slot = self.slot_of.get(int(doc_id))
            if slot is not None:
                mask[slot] = False
        if filters.include_ids is not None:
            included = np.zeros_like(mask)
            slots = [self.slot_of.get(int(i)) for i in filters.include_ids]
            included[[s for s in slots if s is not None]] = True
            mask &= included
        if filters.rights_in is not None:
            codes = [self.rights.index[r] for r in filters.rights_in if r in self.rights.index]
            mask &= np.isin(column["rights"], codes)
        if filters.exclude_flagged:
            mask &= ~column["flagged"]
        if filters.media is not None:
            mask &= column["video"] if filters.media == "video" else ~column["video"]
        if filters.orientation:
            code = self.orientations.index.get(filters.orientation, -1)
            mask &= column["orientation"] == code
        if filters.min_width:
            mask &= column["width"] >= filters.min_width
        for person in {int(i) for i in filters.people_ids or ()}:
            mask &= self._having(self.people_slots, self.people_values.values == person)
        for name in {label_key(n) for n in filters.labels or ()}:
            code = self.label_names.index.get(name, -1)
            mask &= self._having(self.label_slots, self.label_codes.values == code)
        if filters.created_after:
            mask &= column["created"] >= _moment(filters.created_after)
        if filters.created_before:
            mask &= column["created"] <= _moment(filters.created_before)
        return mask

    def _having(self, slots: Growable, where: np.ndarray) -> np.ndarray:
        having = np.zeros(self.n, np.bool_)
        having[slots.values[where]] = True
        return having

    # -- snapshots -------------------------------------------------------------------------
    def write_snapshot(self, folder: Path, seq: int) -> None:
        """Write the live documents as a compact base into `folder` (must not exist)."""
        tmp = folder.with_name(f".{folder.name}.tmp{os.getpid()}")
        tmp.mkdir(parents=True)
        live = np.flatnonzero(self.live.values)
        remap = np.full(self.n, -1, np.int64)
        remap[live] = np.arange(len(live))
        dimension = self.dimension or 0
        vectors = np.lib.format.open_memmap(
            tmp / "vectors.npy", mode="w+", dtype=np.float32, shape=(len(live), dimension)
        )
        from_base = live[live < self.base_count]
        for start in range(0, len(from_base), 50_000):  # in blocks: no second copy in memory
            chunk = from_base[start : start + 50_000]
            vectors[start : start + len(chunk)] = self.base_vectors[chunk]
        if len(live) > len(from_base):
            vectors[len(from_base) :] = self.added_vectors.values[
                live[len(from_base) :] - self.base_count
            ]
        vectors.flush()
        del vectors
        arrays: dict[str, np.ndarray] = {n: c.values[live] for n, c in self.columns.items()}
        arrays["lengths"] = np.stack([self.lengths[f].values[live] for f in FIELDS], axis=1)
        for prefix, slots, values in (
            ("people", self.people_slots, self.people_values),
            ("label", self.label_slots, self.label_codes),
        ):
            new = remap[slots.values]
            keep = new >= 0
            arrays[f"{prefix}_slots"] = new[keep].astype(np.int32)
            arrays[f"{prefix}_{'values' if prefix == 'people' else 'codes'}"] = values.values[keep]
        vocabularies = {}
        for name in FIELDS:
            vocabulary, indptr, slots, tfs = self.postings[name].compacted(remap)
            vocabularies[name] = vocabulary
            arrays[f"postings_{name}_indptr"] = indptr
            arrays[f"postings_{name}_slots"] = slots
            arrays[f"postings_{name}_tfs"] = tfs
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
        meta = {
            "format": FORMAT_VERSION,
            "seq": seq,
            "count": len(live),
            "dimension": dimension,
            "vocabularies": vocabularies,
            "rights_values": self.rights.values,
            "orientation_values": self.orientations.values,
            "label_values": self.label_names.values,
        }
        (tmp / "meta.json").write_text(json.dumps(meta))
        os.rename(tmp, folder)

    @classmethod
    def load(cls, folder: Path) -> Segments:
        """A snapshot's documents as the base (large arrays memory-mapped, shared by every
        process reading the same files through the page cache)."""
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("format") not in READABLE_FORMATS:
            raise ValueError(f"{folder} has format {meta.get('format')}, not {FORMAT_VERSION}")
        added = READABLE_FORMATS[meta["format"]]

        def array(name: str, mmap: bool = False) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None)

        base: dict[str, Any] = {name: array(name) for name in cls.COLUMNS if name not in added}
        for name, default in added.items():
            base[name] = np.full(len(base["ids"]), default, cls.COLUMNS[name])
        base["vectors"] = array("vectors", mmap=True)
        base["lengths"] = array("lengths")
        # A snapshot from before a field existed: the field is empty in every document of its
        # base (documents written since carry it; `reindex` fills it for the old ones).
        known = [f for f in FIELDS if f in meta["vocabularies"]]
        if len(known) < len(FIELDS):
            lengths = np.zeros((len(base["lengths"]), len(FIELDS)), np.float32)
            lengths[:, [FIELDS.index(f) for f in known]] = base["lengths"]
            base["lengths"] = lengths
        for name in ("people_slots", "people_values", "label_slots", "label_codes"):
            base[name] = array(name)
        base["postings"] = {
            f: (
                meta["vocabularies"][f],
                array(f"postings_{f}_indptr"),
                array(f"postings_{f}_slots", mmap=True),
                array(f"postings_{f}_tfs", mmap=True),
            )
            if f in known
            else ()
            for f in FIELDS
        }
        for name in ("rights_values", "orientation_values", "label_values"):
            base[name] = meta[name]
        return cls(base)
