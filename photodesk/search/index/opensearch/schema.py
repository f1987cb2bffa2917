"""What an image is in OpenSearch: the index template, the document source, the filters.

Kept apart from the backend so the mapping can be read (and versioned) on its own. Bump
MAPPING_VERSION whenever `mappings()` or `to_source()` change: the system check then reports
the live index as stale and `manage.py reindex` builds a new one behind the alias.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import fields as dataclass_fields
from typing import Any

import numpy as np

from photodesk.search.index.base import (
    FIELD_WEIGHTS,
    Filters,
    IndexDocument,
    field_text,
    label_key,
)
from photodesk.search.text.tokens import tokens

MAPPING_VERSION = 4  # 2: terms.labels (tags and detections on the keyword side); 3: usage; 4: media

# The text fields kept in the source (caption, ocr_text, metadata, people); "labels" is a
# nested field of its own (name, confidence).
TEXT_FIELDS: tuple[str, ...] = tuple(name for name in FIELD_WEIGHTS if name != "labels")
# The weighted fields of keyword search, pre-tokenised under `terms.*` (TEXT_FIELDS + labels).
TERM_FIELDS: tuple[str, ...] = tuple(FIELD_WEIGHTS)

# Attributes copied to typed top-level fields so filters run on them inside the kNN query.
FILTER_FIELDS: dict[str, dict[str, Any]] = {
    "created": {"type": "date"},
    "width": {"type": "integer"},
    "height": {"type": "integer"},
    "orientation": {"type": "keyword"},
    "rights": {"type": "keyword"},
    "flagged": {"type": "boolean"},
    "people_ids": {"type": "keyword"},
    "media": {"type": "keyword"},
}

# Every Filters field must be translated by `filter_query`; tests compare this with the
# dataclass so a new filter cannot silently be ignored by this backend.
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

# BM25 over the pre-tokenised `terms.*` fields, written to rank like the embedded index:
# field statistics count every document (each carries one sentinel token, see to_source)
# and the sentinel is left out of the document length. Lucene's own BM25 would count only
# documents that have the field, which over-weights rare fields such as OCR text.
SENTINEL = "_"
BM25_SCRIPT = """
double k1 = 1.2; double b = 0.75;
double n = field.docCount;
double idf = Math.log(1.0 + (n - term.docFreq + 0.5) / (term.docFreq + 0.5));
double avgdl = (field.sumTotalTermFreq - n) / n;
if (avgdl <= 0) { avgdl = 1.0; }
double dl = doc.length - 1;
double tf = doc.freq;
return query.boost * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
"""


def index_settings(*, shards: int, replicas: int) -> dict[str, Any]:
    return {
        "index": {"knn": True, "number_of_shards": shards, "number_of_replicas": replicas},
        "similarity": {
            "photodesk_bm25": {"type": "scripted", "script": {"source": BM25_SCRIPT.strip()}}
        },
    }


def mappings(*, dimension: int, m: int, ef_construction: int) -> dict[str, Any]:
    text = {"type": "text", "analyzer": "english"}
    return {
        # Unknown top-level fields are a bug in to_source, not data to guess a type for.
        "dynamic": "strict",
        "_meta": {"photodesk_mapping_version": MAPPING_VERSION, "dimension": dimension},
        "properties": {
            "id": {"type": "long"},
            "vector": {
                "type": "knn_vector",
                "dimension": dimension,
                # The k-NN build on Maven Central has no native faiss/nmslib libraries:
                # only the pure-Java Lucene engine works (and it filters inside the graph).
                "method": {
                    "name": "hnsw",
                    "engine": "lucene",
                    "space_type": "cosinesimil",
                    "parameters": {"m": m, "ef_construction": ef_construction},
                },
            },
            **{name: text for name in TEXT_FIELDS},
            "labels": {
                "type": "nested",
                "properties": {
                    "name": {
                        **text,
                        "fields": {"raw": {"type": "keyword", "normalizer": "lowercase"}},
                    },
                    "confidence": {"type": "float"},  # 0-100, like the database
                },
            },
            # Tokens from text.tokens (the embedded index's analysis), so both backends match
            # the same words; ranked with the similarity above.
            "terms": {
                "properties": {
                    name: {
                        "type": "text",
                        "analyzer": "whitespace",
                        "index_options": "freqs",
                        "similarity": "photodesk_bm25",
                    }
                    for name in TERM_FIELDS
                }
            },
            **FILTER_FIELDS,
            # The document's attributes as given, to rebuild it and compare (reconcile).
            "attributes": {"type": "object", "enabled": False},
            "fingerprint": {"type": "keyword"},
        },
    }


def mapping_problems(live: dict[str, Any], *, dimension: int, m: int, ef_construction: int) -> list:
    """Why a live index's mapping differs from what this code writes (empty: current)."""
    meta = live.get("_meta") or {}
    problems = []
    if meta.get("photodesk_mapping_version") != MAPPING_VERSION:
        problems.append(
            f"mapping version {meta.get('photodesk_mapping_version')} != {MAPPING_VERSION}"
        )
    vector = (live.get("properties") or {}).get("vector") or {}
    if vector.get("dimension") != dimension:
        problems.append(f"vector dimension {vector.get('dimension')} != {dimension}")
    params = (vector.get("method") or {}).get("parameters") or {}
    if (params.get("m"), params.get("ef_construction")) != (m, ef_construction):
        problems.append(
            f"HNSW m/ef_construction {params.get('m')}/{params.get('ef_construction')} "
            f"!= {m}/{ef_construction}"
        )
    return problems


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def to_source(document: IndexDocument) -> dict[str, Any]:
    """The OpenSearch source of a document, with its fingerprint."""
    vector = np.asarray(document.vector, np.float32)
    source: dict[str, Any] = {"id": int(document.id)}
    # Lucene refuses zero vectors under cosine similarity: such a document (no evidence at
    # all) is kept for keyword search and simply never appears on the vector side.
    if vector.size and np.any(vector):
        # Each float32 in its shortest exact decimal form: half the JSON of tolist()'s
        # float64 digits (less to send, parse and store), and it reads back bit for bit.
        source["vector"] = [float(x) for x in vector.astype(str)]
    for name in TEXT_FIELDS:
        source[name] = document.fields.get(name) or ""
    source["terms"] = {name: " ".join([SENTINEL, *_terms(document, name)]) for name in TERM_FIELDS}
    source["labels"] = [
        {"name": str(word), "confidence": float(confidence) * 100}
        for word, confidence in document.fields.get("labels") or []
    ]
    attributes = _jsonable(document.attributes or {})
    for name in FILTER_FIELDS:
        if attributes.get(name) is not None:
            source[name] = attributes[name]
    source["attributes"] = attributes
    source["fingerprint"] = fingerprint(source)
    return source


def _terms(document: IndexDocument, name: str) -> list[str]:
    words = tokens(field_text(document, name))
    # Label words count once each, as in the embedded index.
    return list(dict.fromkeys(words)) if name == "labels" else words


def fingerprint(source: dict[str, Any]) -> str:
    """A digest of everything in a source but the fingerprint itself (reconcile compares it)."""
    content = {k: v for k, v in source.items() if k != "fingerprint"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def filter_query(filters: Filters) -> dict[str, Any] | None:
    """Filters as one bool query (None when nothing is filtered), used inside the kNN query
    and as the keyword side's filter, so both sides see the same documents."""
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if filters.exclude_ids:
        must_not.append({"ids": {"values": sorted(str(i) for i in filters.exclude_ids)}})
    if filters.include_ids is not None:
        must.append({"ids": {"values": sorted(str(i) for i in filters.include_ids)}})
    if filters.rights_in is not None:
        must.append({"terms": {"rights": sorted(filters.rights_in)}})
    if filters.exclude_flagged:
        must_not.append({"term": {"flagged": True}})  # unflagged or never checked pass
    if filters.media == "video":
        must.append({"term": {"media": "video"}})
    elif filters.media is not None:  # images carry no media field
        must_not.append({"term": {"media": "video"}})
    if filters.orientation:
        must.append({"term": {"orientation": filters.orientation}})
    if filters.min_width:
        must.append({"range": {"width": {"gte": filters.min_width}}})
    for person_id in sorted(filters.people_ids or ()):
        must.append({"term": {"people_ids": str(person_id)}})
    for label in sorted(filters.labels or ()):
        must.append(
            {
                "nested": {
                    "path": "labels",
                    "query": {"term": {"labels.name.raw": label_key(label)}},
                }
            }
        )
    created: dict[str, str] = {}
    if filters.created_after:
        created["gte"] = filters.created_after.isoformat()
    if filters.created_before:
        created["lte"] = filters.created_before.isoformat()
    if created:
        must.append({"range": {"created": created}})
    if not must and not must_not:
        return None
    return {"bool": {"filter": must, "must_not": must_not}}


def unhandled_filters() -> set[str]:
    return {f.name for f in dataclass_fields(Filters)} - HANDLED_FILTERS


def keyword_clauses(text: str, weights: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """One named term query per (field, query word): OpenSearch then reports which words
    matched which field (matched_queries), the embedded index's `Hit.matched`."""
    words = sorted(set(tokens(text)) - {SENTINEL})
    return [
        {"term": {f"terms.{name}": {"value": word, "boost": weight, "_name": f"{name}:{word}"}}}
        for name, weight in (FIELD_WEIGHTS if weights is None else weights).items()
        if weight
        for word in words
    ]
