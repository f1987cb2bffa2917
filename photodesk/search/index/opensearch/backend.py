"""The production index: OpenSearch with the k-NN plugin (Lucene HNSW), behind an alias.

Layout: the alias OPENSEARCH_INDEX (photodesk-images) points at one versioned index
(photodesk-images-v3) made from an index template. `replace_all` (manage.py reindex) builds
the next version while the alias keeps answering, then moves the alias in one atomic request;
writes made meanwhile go to both (through a second alias, photodesk-images-building).

Ranking is the embedded index's, by construction: one kNN ranking per query vector (filters
inside the kNN query), one BM25 ranking over the same tokens and field weights, fused with
`base.fuse`. Tests hold both backends to the same results (tests/test_index_contract.py).
"""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError, RequestError

from photodesk.search.index.base import (
    Hit,
    IndexBusy,
    IndexDocument,
    IndexUnavailable,
    SearchIndex,
    SearchQuery,
    fuse,
)
from photodesk.search.index.opensearch import schema
from photodesk.search.index.opensearch.client import (
    Action,
    BulkOptions,
    ConnectionOptions,
    Ignore,
    bulk,
    make_client,
    with_backoff,
)

logger = logging.getLogger(__name__)

SCAN_PAGE = 5000
# A force merge answers when it is done: rebuilding the HNSW graphs of a million vectors
# takes far longer than any read (README, "OpenSearch").
MERGE_TIMEOUT = 6 * 3600

VECTOR_PAGE = 1000

# What a search hit carries: its id from the `id` doc values, nothing from the stored fields.
# Reading `_id` made the node decompress each hit's stored block (the whole source, vector
# JSON included): a suggestion's msearch (a kNN query per query text and BM25, 100 hits
# each) took a third less time without it (measured on 523,500 documents).
ID_ONLY: dict[str, Any] = {"stored_fields": "_none_", "docvalue_fields": ["id"]}


def hit_id(hit: dict[str, Any]) -> int:
    return int(hit["fields"]["id"][0])


# A document's vector as base64 of its float32s (little-endian), from the doc values the
# kNN graph is built on: bit for bit the vector written, a quarter of the bytes of its JSON.
# A document without a vector (zero evidence) gives null.
VECTOR_SCRIPT = (
    "if (doc['vector'].size() == 0) { return null; } "
    "float[] v = doc['vector'].getValue(); byte[] b = new byte[v.length * 4]; "
    "for (int i = 0; i < v.length; ++i) { int x = Float.floatToRawIntBits(v[i]); "
    "b[4 * i] = (byte) x; b[4 * i + 1] = (byte) (x >> 8); "
    "b[4 * i + 2] = (byte) (x >> 16); b[4 * i + 3] = (byte) (x >> 24); } "
    "return Base64.getEncoder().encodeToString(b);"
)

T = TypeVar("T")


@dataclass(frozen=True)
class OpenSearchOptions:
    """How to reach and build the index: one field per OPENSEARCH_* setting, named after it
    (conf.py says what each means)."""

    url: str
    index: str  # the alias searches use
    username: str | None
    password: str | None = field(repr=False)
    verify_certs: bool
    ca_certs: str | None
    timeout: float
    refresh: str | bool
    shards: int
    replicas: int
    hnsw_m: int
    hnsw_ef_construction: int
    ef_search: int
    bulk_size: int
    bulk_concurrency: int
    max_retries: int
    retry_backoff: float
    swap_grace: float
    merge_segments: int | None = None

    @property
    def connection(self) -> ConnectionOptions:
        return ConnectionOptions(
            url=self.url,
            username=self.username,
            password=self.password,
            verify_certs=self.verify_certs,
            ca_certs=self.ca_certs,
            timeout=self.timeout,
        )


class OpenSearchIndex(SearchIndex):
    def __init__(self, options: OpenSearchOptions, *, dimension: int) -> None:
        self.options = options
        self.dimension = dimension
        self.client: OpenSearch = make_client(options.connection)
        self.alias = options.index
        self.building_alias = f"{options.index}-building"

    # -- indices and aliases -------------------------------------------------------------
    def _retrying(self, call: Callable[[], T], what: str) -> T:
        return with_backoff(
            call, retries=self.options.max_retries, backoff=self.options.retry_backoff, what=what
        )

    def _reading(self, call: Callable[[], T], what: str) -> T:
        """Reads fail fast (a search should not hang on a dead node): no retries."""
        return with_backoff(call, retries=0, backoff=0, what=what)

    def aliases(self) -> dict[str, list[str]]:
        """alias → concrete indices, for the serving alias and the building alias."""
        rows = self.client.cat.aliases(name=f"{self.alias},{self.building_alias}", format="json")
        found: dict[str, list[str]] = {self.alias: [], self.building_alias: []}
        for row in rows:
            found.setdefault(row["alias"], []).append(row["index"])
        return found

    def _generations(self) -> dict[str, int]:
        rows = self.client.cat.indices(index=f"{self.alias}-v*", format="json", h="index")
        pattern = re.compile(rf"^{re.escape(self.alias)}-v(\d+)$")
        return {
            row["index"]: int(match.group(1))
            for row in rows
            if (match := pattern.match(row["index"]))
        }

    def put_template(self) -> None:
        body = {
            "index_patterns": [f"{self.alias}-v*"],
            "priority": 100,
            "template": {
                "settings": schema.index_settings(
                    shards=self.options.shards, replicas=self.options.replicas
                ),
                "mappings": schema.mappings(
                    dimension=self.dimension,
                    m=self.options.hnsw_m,
                    ef_construction=self.options.hnsw_ef_construction,
                ),
            },
            "_meta": {"photodesk_mapping_version": schema.MAPPING_VERSION},
        }
        self.client.indices.put_index_template(name=self.alias, body=body)

    def _create_next(self, extra: dict[str, Any]) -> str:
        """Create the next versioned index from the template (racing creators take turns)."""
        self.put_template()
        for _ in range(5):
            generation = max(self._generations().values(), default=0) + 1
            name = f"{self.alias}-v{generation}"
            try:
                self.client.indices.create(index=name, body=extra)
                return name
            except RequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        raise IndexUnavailable(f"Could not create a new index for {self.alias}")

    def ensure_index(self) -> None:
        """Create the first index and its alias if there is none (first write ever)."""
        if self.aliases()[self.alias]:
            return
        self._create_next({"aliases": {self.alias: {}}})
        # Two first writers may each have created an index: keep the alias on the oldest.
        serving = self.aliases()[self.alias]
        if len(serving) > 1:
            generations = self._generations()
            keep = min(serving, key=lambda index: generations.get(index, 0))
            self.client.indices.update_aliases(
                body={"actions": [{"remove_index": {"index": i}} for i in serving if i != keep]}
            )

    def mapping_problems(self) -> list[str]:
        """Why the serving index must be rebuilt: missing, or a mapping this code did not
        write. Empty when it is current."""
        serving = self.aliases()[self.alias]
        if not serving:
            return [f"the alias {self.alias} does not exist"]
        problems = []
        live = self.client.indices.get_mapping(index=self.alias)
        for index, body in live.items():
            for problem in schema.mapping_problems(
                body.get("mappings", {}),
                dimension=self.dimension,
                m=self.options.hnsw_m,
                ef_construction=self.options.hnsw_ef_construction,
            ):
                problems.append(f"{index}: {problem}")
        return problems

    # -- writes --------------------------------------------------------------------------
    def _write_targets(self) -> list[str]:
        found = self._retrying(self.aliases, "resolve aliases")
        if not found[self.alias]:
            self._retrying(self.ensure_index, "create the index")
            found = self._retrying(self.aliases, "resolve aliases")
        return [self.alias] + ([self.building_alias] if found[self.building_alias] else [])

    @staticmethod
    def _alias_gone(op: str, item: dict[str, Any]) -> bool:
        # The building alias can vanish between resolving it and writing (the swap happened):
        # the serving alias got the same write.
        return (item.get("error") or {}).get("type") == "index_not_found_exception"

    def _bulk(self, actions: Iterable[Action], ignore: Ignore | None = None, **options: Any) -> int:
        settings = BulkOptions(
            batch_size=self.options.bulk_size,
            retries=self.options.max_retries,
            backoff=self.options.retry_backoff,
            **options,
        )
        return bulk(self.client, actions, settings, ignore)

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        sources = [schema.to_source(document) for document in documents]
        if not sources:
            return 0
        targets = self._write_targets()
        actions = (
            ({"index": {"_index": target, "_id": str(source["id"])}}, source)
            for source in sources
            for target in targets
        )
        written = self._bulk(
            actions, refresh=self.options.refresh, require_alias=True, ignore=self._alias_gone
        )
        return min(written, len(sources))

    def delete(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        targets = self._write_targets()
        actions = (
            ({"delete": {"_index": target, "_id": str(doc_id)}}, None)
            for doc_id in ids
            for target in targets
        )
        self._bulk(actions, refresh=self.options.refresh, ignore=self._alias_gone)

    def replace_all(self, documents: Iterable[IndexDocument]) -> int:
        """Build the next index version, then swap the alias atomically. Searches are answered
        by the old index until the swap; the old index is dropped after a grace period so
        searches already running on it finish."""
        found = self._retrying(self.aliases, "resolve aliases")
        if found[self.building_alias]:
            raise IndexBusy(
                f"{found[self.building_alias][0]} is being built by another reindex. If that "
                "process died, delete that index and run reindex again."
            )
        # Bulk loading is faster without refreshes and replicas; both are restored before
        # the new index serves.
        new = self._create_next(
            {
                "settings": {"index": {"number_of_replicas": 0, "refresh_interval": "-1"}},
                "aliases": {self.building_alias: {}},
            }
        )
        try:
            self._claim_build(new)
            written = self._load(new, documents)
            self._merge(new)
            self._open(new)
            old = self._swap(new)
        except BaseException:
            self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        if old:
            time.sleep(self.options.swap_grace)
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True)
        logger.info("OpenSearch: %s now serves %s (%d documents)", new, self.alias, written)
        return written

    def _load(self, index: str, documents: Iterable[IndexDocument]) -> int:
        actions = (
            ({"index": {"_index": index, "_id": str(source["id"])}}, source)
            for source in (schema.to_source(document) for document in documents)
        )
        written = self._bulk(actions, concurrency=self.options.bulk_concurrency)
        self.client.indices.refresh(index=index)
        return written

    def _open(self, index: str) -> None:
        """Replicas and refreshes back, once the index is merged: replicas copy the merged
        segments instead of merging their own."""
        self.client.indices.put_settings(
            index=index,
            body={"index": {"number_of_replicas": self.options.replicas, "refresh_interval": None}},
        )
        self.client.cluster.health(index=index, wait_for_status="yellow", request_timeout=60)

    def _merge(self, index: str) -> None:
        """Merge a loaded index down to `merge_segments` segments: a kNN query searches each
        segment's HNSW graph apart, so a bulk load's dozens of segments cost latency on every
        query. Lucene builds the merged graph anew (from the largest segment's graph), so this
        costs time once, while the old index still serves."""
        segments = self.options.merge_segments
        if not segments:
            return
        started = time.perf_counter()
        self.client.indices.forcemerge(
            index=index, max_num_segments=segments, request_timeout=MERGE_TIMEOUT
        )
        self.client.indices.refresh(index=index)
        logger.info(
            "OpenSearch: %s merged to at most %d segments in %.0f s",
            index,
            segments,
            time.perf_counter() - started,
        )

    def _claim_build(self, new: str) -> None:
        """Two rebuilds started at the same moment: the older index carries on alone."""
        builders = self.aliases()[self.building_alias]
        generations = self._generations()
        if len(builders) > 1 and new != min(builders, key=lambda i: generations.get(i, 0)):
            raise IndexBusy(f"{self.alias} is being rebuilt by another process.")

    def _swap(self, new: str) -> list[str]:
        """One aliases request: searches see the old index or the new one, never neither.
        Returns the indices the alias left (read just before, in case a first write created
        one while this index was built)."""
        old = [index for index in self.aliases()[self.alias] if index != new]
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": self.alias}} for index in old
        ]
        actions += [
            {"add": {"index": new, "alias": self.alias}},
            {"remove": {"index": new, "alias": self.building_alias}},
        ]
        self.client.indices.update_aliases(body={"actions": actions})
        return old

    # -- reads ---------------------------------------------------------------------------
    def count(self) -> int:
        try:
            return self._reading(lambda: self.client.count(index=self.alias), "count")["count"]
        except NotFoundError:
            return 0

    def _scan(self, source: bool | list[str]) -> Iterator[dict[str, Any]]:
        """Every document, in id order (search_after on the id: no scroll context to keep)."""
        after = None
        while True:
            body: dict[str, Any] = {
                "size": SCAN_PAGE,
                "query": {"match_all": {}},
                "sort": [{"id": "asc"}],
                "_source": source,
                "docvalue_fields": ["id", "fingerprint"],
            }
            if after is not None:
                body["search_after"] = after
            try:
                page = self._reading(
                    lambda body=body: self.client.search(index=self.alias, body=body), "scan"
                )["hits"]["hits"]
            except NotFoundError:
                return
            yield from page
            if len(page) < SCAN_PAGE:
                return
            after = page[-1]["sort"]

    def ids(self) -> set[int]:
        return {int(hit["_id"]) for hit in self._scan(False)}

    def fingerprints(self, deep: bool = False) -> dict[int, str | None]:
        """id → fingerprint stored with the document; with `deep`, recomputed from the
        document's content instead (finds documents altered behind Photodesk's back)."""
        found: dict[int, str | None] = {}
        for hit in self._scan(deep):
            stored = (hit.get("fields", {}).get("fingerprint") or [None])[0]
            found[int(hit["_id"])] = schema.fingerprint(hit["_source"]) if deep else stored
        return found

    def fingerprint(self, document: IndexDocument) -> str:
        return schema.to_source(document)["fingerprint"]

    def vector(self, doc_id: int) -> np.ndarray | None:
        try:
            return self._vectors([doc_id]).get(doc_id)
        except NotFoundError:
            return None

    def vectors(self, ids: Iterable[int]) -> dict[int, np.ndarray]:
        return self._vectors(list(ids))

    def _vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """Stored vectors read from the vector field's doc values by a script field, as
        base64 float32 (VECTOR_SCRIPT): an mget of `_source.vector` made the node parse and
        filter each document's whole source and sent ~11 JSON characters per float."""
        found: dict[int, np.ndarray] = {}
        for start in range(0, len(ids), VECTOR_PAGE):
            page = [str(i) for i in ids[start : start + VECTOR_PAGE]]
            body = {
                "size": len(page),
                **ID_ONLY,
                "track_total_hits": False,
                "query": {"ids": {"values": page}},
                "script_fields": {"vector": {"script": {"source": VECTOR_SCRIPT}}},
            }
            hits = self._reading(
                lambda body=body: self.client.search(index=self.alias, body=body), "vectors"
            )["hits"]["hits"]
            for hit in hits:
                encoded = (hit.get("fields", {}).get("vector") or [None])[0]
                if encoded:
                    found[hit_id(hit)] = np.frombuffer(base64.b64decode(encoded), "<f4")
        return found

    def search(self, query: SearchQuery) -> list[Hit]:
        where = schema.filter_query(query.filters)
        requests: list[dict[str, Any]] = []
        for vector in query.vectors:
            knn: dict[str, Any] = {
                "vector": np.asarray(vector, np.float32).tolist(),
                "k": query.candidates,
                "method_parameters": {"ef_search": max(self.options.ef_search, query.candidates)},
            }
            if where:
                knn["filter"] = where  # inside the graph search: k results that pass
            requests.append(
                {
                    "size": query.candidates,
                    **ID_ONLY,
                    "track_total_hits": False,
                    "query": {"knn": {"vector": knn}},
                }
            )
        field_weights = query.weights()
        clauses = (
            schema.keyword_clauses(query.keywords, field_weights)
            if query.keywords and query.keyword_weight and field_weights
            else []
        )
        if clauses:
            requests.append(
                {
                    "size": query.candidates,
                    **ID_ONLY,
                    "query": {
                        "bool": {
                            "filter": [where] if where else [],
                            "should": clauses,
                            "minimum_should_match": 1,
                        }
                    },
                    # Ties in id order, as the embedded index (which keeps insertion order).
                    "sort": [{"_score": "desc"}, {"id": "asc"}],
                    "track_scores": True,
                    # No count of every match: the node stops counting at the candidates.
                    "track_total_hits": False,
                }
            )
        if not requests:
            return []
        body: list[dict[str, Any]] = []
        for request in requests:
            body += [{"index": self.alias}, request]
        responses = self._reading(lambda: self.client.msearch(body=body), "search")["responses"]
        for response in responses:
            if "error" in response:
                if response.get("status") == 404:
                    return []  # nothing indexed yet
                raise IndexUnavailable(f"OpenSearch search failed: {response['error']}")

        hits: dict[int, Hit] = {}
        rankings: list[list[int]] = []
        scores: list[list[float]] = []
        weights: list[float] = []
        knn_similarity: dict[int, float] = {}
        for response in responses[: len(query.vectors)]:
            ranking, values = [], []
            for item in response["hits"]["hits"]:
                doc_id = hit_id(item)
                ranking.append(doc_id)
                # Lucene's cosine score is (1 + cos) / 2.
                similarity = 2 * float(item["_score"]) - 1
                values.append(similarity)
                knn_similarity[doc_id] = max(knn_similarity.get(doc_id, -1.0), similarity)
                hits.setdefault(doc_id, Hit(doc_id, 0.0))
            rankings.append(ranking)
            scores.append(values)
            weights.append(1.0 / len(query.vectors))
        if clauses:
            ranking, values = [], []
            for item in responses[-1]["hits"]["hits"]:
                doc_id = hit_id(item)
                ranking.append(doc_id)
                hit = hits.setdefault(doc_id, Hit(doc_id, 0.0))
                hit.keyword_score = float(item["_score"])
                values.append(hit.keyword_score)
                matched: dict[str, list[str]] = {}
                for name in item.get("matched_queries", []):
                    field, _, word = name.partition(":")
                    matched.setdefault(field, []).append(word)
                hit.matched = matched
            if ranking:
                rankings.append(ranking)
                scores.append(values)
                weights.append(query.keyword_weight)
        for doc_id, score in fuse(rankings, weights, scores=scores, method=query.fusion).items():
            hits[doc_id].score = score
        ordered = sorted(hits.values(), key=lambda h: -h.score)[: query.limit]
        if query.vectors:
            self._fill_similarity(ordered, query.vectors, knn_similarity)
        return ordered

    def _fill_similarity(
        self, hits: list[Hit], vectors: list[np.ndarray], knn_similarity: dict[int, float]
    ) -> None:
        """Best cosine to any query vector, as the embedded index reports it. With one query
        vector the kNN score already says it; otherwise compute it from the stored vectors."""
        if len(vectors) == 1 and all(h.id in knn_similarity for h in hits):
            for hit in hits:
                hit.similarity = knn_similarity[hit.id]
            return
        stored = self._vectors([h.id for h in hits])
        queries = np.stack([np.asarray(v, np.float32) for v in vectors])
        for hit in hits:
            if hit.id in stored:
                hit.vector = stored[hit.id]
                hit.similarity = float((queries @ hit.vector).max())
            else:
                hit.similarity = 0.0  # no vector (zero evidence): as the embedded index's dot
