"""OpenSearch at archive scale: indexing rate, query latency, HNSW recall, heap and disk.

Synthetic but shaped like the archive: every document takes one of the ~2,200 human captions
of ../shared/photos/eval as its caption (real words, real term statistics) and a vector near
that caption's MiniLM embedding (cosine ~0.8 to it, like photos of one subject), plus sizes,
dates, rights and, for one in ten, text in the image. Queries are other captions of the same
photos: their MiniLM vectors and their words.

For each HNSW `m` it builds an index through OpenSearchIndex.replace_all (what `reindex`
does: batched bulk writes, then the alias swap) and measures
- indexing rate (documents/s, end to end, including building the sources in Python);
- recall@10 of the kNN query (k=10) against exact search (numpy, checked against OpenSearch's
  exact `knn_score` script), and its p50/p95 latency, for several ef_search; for the caption
  queries and for held-out vectors drawn like the documents (the harder case: all neighbours
  in one tight cluster);
- the production query path (index.search: 100 candidates per side, RRF fusion): vector only,
  hybrid (vector + BM25), and filtered inside the kNN query (rights = editorial);
- node heap, index size on disk, segment count.
The ratio printed last: exact (script) p50 latency / HNSW p50 latency at the chosen ef.

Usage: python benchmarks/index_scale.py [--n 100000] [--m 16,32] [--ef 10,32,64,100,200]
       (needs a node: bash scripts/opensearch.sh start; OPENSEARCH_URL, default
        http://127.0.0.1:9200; a bigger heap: OPENSEARCH_JAVA_OPTS="-Xms2g -Xmx2g")
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")

from photodesk.search.index import opensearch_options  # noqa: E402
from photodesk.search.index.base import Filters, IndexDocument, SearchQuery  # noqa: E402
from photodesk.search.index.opensearch import OpenSearchIndex  # noqa: E402

DIMENSION = 384
RIGHTS = ["editorial", "unrestricted", "restricted", "forbidden"]
CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome", "Lagos", "Lima", "Seoul", "Sydney"]
OCR_WORDS = ["exit", "sale", "open", "police", "stop", "taxi", "hotel", "bank", "cafe", "bus"]


def load_captions() -> list[list[str]]:
    rows = [json.loads(line) for line in (SHARED / "photos/eval/captions.jsonl").open()]
    return [row["captions"] for row in rows]


def embed(texts: list[str]) -> np.ndarray:
    import django

    django.setup()
    from photodesk.analysis.embedding import embedder

    out = [embedder().predict(texts[i : i + 256]) for i in range(0, len(texts), 256)]
    return np.concatenate(out).astype(np.float32)


class Corpus:
    """n documents, reproducible from the seed; vectors kept for exact ground truth."""

    def __init__(self, n: int, captions: list[list[str]], centres: np.ndarray, seed: int = 0):
        self.n = n
        self.texts = [c for caps in captions for c in caps]  # every caption is a centre
        rng = np.random.default_rng(seed)
        self.topic = rng.integers(len(self.texts), size=n)
        self.vectors = np.empty((n, DIMENSION), np.float32)
        for start in range(0, n, 50_000):
            stop = min(n, start + 50_000)
            noise = rng.normal(scale=0.038, size=(stop - start, DIMENSION)).astype(np.float32)
            block = centres[self.topic[start:stop]] + noise
            self.vectors[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
        self.rights = rng.integers(len(RIGHTS), size=n)
        self.width = rng.integers(400, 6000, size=n)
        self.height = rng.integers(400, 6000, size=n)
        self.days = rng.integers(0, 3650, size=n)
        self.ocr = rng.random(n) < 0.1
        self.city = rng.integers(len(CITIES), size=n)

        self.centres = centres

    def held_out(self, count: int, seed: int = 99) -> np.ndarray:
        """New vectors drawn like the documents: the hard case (neighbours in one cluster)."""
        rng = np.random.default_rng(seed)
        topic = rng.integers(len(self.texts), size=count)
        block = self.centres[topic] + rng.normal(scale=0.038, size=(count, DIMENSION))
        return (block / np.linalg.norm(block, axis=1, keepdims=True)).astype(np.float32)

    def documents(self) -> Iterator[IndexDocument]:
        start = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
        for i in range(self.n):
            w, h = int(self.width[i]), int(self.height[i])
            yield IndexDocument(
                id=i + 1,
                vector=self.vectors[i],
                fields={
                    "labels": [("photo", 0.5)],
                    "caption": self.texts[self.topic[i]],
                    "ocr_text": " ".join(OCR_WORDS[(i + j) % len(OCR_WORDS)] for j in range(3))
                    if self.ocr[i]
                    else "",
                    "metadata": f"Staff photographer {CITIES[self.city[i]]}",
                    "people": "",
                },
                attributes={
                    "created": (start + dt.timedelta(days=int(self.days[i]))).isoformat(),
                    "width": w,
                    "height": h,
                    "orientation": "landscape" if w > h * 1.1 else "portrait",
                    "rights": RIGHTS[self.rights[i]],
                },
            )

    def exact_top(self, queries: np.ndarray, k: int, mask: np.ndarray | None = None):
        scores = np.empty((len(queries), self.n), np.float32)
        for start in range(0, self.n, 200_000):
            block = self.vectors[start : start + 200_000]
            scores[:, start : start + len(block)] = queries @ block.T
        if mask is not None:
            scores[:, ~mask] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.take_along_axis(scores, top, 1).argsort(axis=1)[:, ::-1]
        return np.take_along_axis(top, order, 1) + 1  # ids


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def knn_body(vector: np.ndarray, k: int, ef: int) -> dict:
    knn = {"vector": vector.tolist(), "k": k, "method_parameters": {"ef_search": ef}}
    return {"size": k, "_source": False, "query": {"knn": {"vector": knn}}}


def exact_body(vector: np.ndarray, k: int) -> dict:
    script = {
        "source": "knn_score",
        "lang": "knn",
        "params": {"field": "vector", "query_value": vector.tolist(), "space_type": "cosinesimil"},
    }
    return {
        "size": k,
        "_source": False,
        "query": {"script_score": {"query": {"match_all": {}}, "script": script}},
    }


def hit_ids(response: dict) -> list[int]:
    return [int(h["_id"]) for h in response["hits"]["hits"]]


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    return float(
        np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


def node_stats(index: OpenSearchIndex) -> dict:
    client = index.client
    jvm = next(iter(client.nodes.stats(metric="jvm")["nodes"].values()))["jvm"]["mem"]
    stats = client.indices.stats(index=index.alias, metric="store,segments")["_all"]["primaries"]
    return {
        "heap_used_mb": round(jvm["heap_used_in_bytes"] / 2**20),
        "heap_max_mb": round(jvm["heap_max_in_bytes"] / 2**20),
        "disk_mb": round(stats["store"]["size_in_bytes"] / 2**20),
        "segments": stats["segments"]["count"],
    }


def run(args, corpus: Corpus, queries: np.ndarray, query_texts: list[str], m: int) -> dict:
    alias = f"photodesk-bench-m{m}"
    options = opensearch_options(
        url=os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"), index=alias, timeout=600,
        hnsw_m=m, hnsw_ef_construction=args.ef_construction, replicas=0, swap_grace=0,
    )  # fmt: skip
    index = OpenSearchIndex(options, dimension=DIMENSION)
    client = index.client
    client.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
    start = time.perf_counter()
    written = index.replace_all(corpus.documents())
    seconds = time.perf_counter() - start
    assert written == corpus.n, written
    result: dict = {"n": corpus.n, "m": m, "ef_construction": args.ef_construction}
    result["index_seconds"] = round(seconds, 1)
    result["docs_per_second"] = round(corpus.n / seconds)
    time.sleep(5)  # let the last merges start, then measure as a user would meet it
    result.update(node_stats(index))

    truth = corpus.exact_top(queries, 10)
    for q in queries[:20]:  # warm up
        client.search(index=alias, body=knn_body(q, 10, 100))
    # OpenSearch's exact scoring agrees with numpy (and is what HNSW is measured against).
    exact_lat = []
    for q, t in zip(queries[: args.exact_queries], truth, strict=False):
        ms, response = timed(lambda q=q: client.search(index=alias, body=exact_body(q, 10)))
        exact_lat.append(ms)
        assert len(set(hit_ids(response)) & set(t)) >= 9, "knn_score disagrees with numpy"
    result["exact_p50_ms"], result["exact_p95_ms"] = percentiles(exact_lat)

    hard = corpus.held_out(len(queries))
    hard_truth = corpus.exact_top(hard, 10)
    result["knn"] = {}
    for ef in args.ef:
        entry: dict = {}
        for name, vectors, expected in (("", queries, truth), ("_held_out", hard, hard_truth)):
            lat, found = [], []
            for q in vectors:
                body = knn_body(q, 10, ef)
                ms, response = timed(lambda body=body: client.search(index=alias, body=body))
                lat.append(ms)
                found.append(hit_ids(response))
            p50, p95 = percentiles(lat)
            entry[f"recall@10{name}"] = round(recall(found, expected), 4)
            entry[f"p50_ms{name}"], entry[f"p95_ms{name}"] = round(p50, 1), round(p95, 1)
        result["knn"][ef] = entry

    # The production path at the configured ef_search (default 100).
    index = OpenSearchIndex(replace(options, ef_search=args.production_ef), dimension=DIMENSION)
    paths = {
        "vector": lambda q, text: SearchQuery(vectors=[q]),
        "vector_held_out": lambda q, text: SearchQuery(vectors=[q]),
        "hybrid": lambda q, text: SearchQuery(vectors=[q], keywords=text),
        "filtered": lambda q, text: SearchQuery(
            vectors=[q], filters=Filters(rights_in={"editorial"})
        ),
    }
    editorial = corpus.rights == RIGHTS.index("editorial")
    truths = {
        "vector": truth,
        "vector_held_out": hard_truth,
        "filtered": corpus.exact_top(queries, 10, editorial),
    }
    result["search"] = {}
    for name, make in paths.items():
        lat, found = [], []
        vectors = hard if name.endswith("held_out") else queries
        for q, text in zip(vectors, query_texts, strict=True):
            query = make(q, text)
            ms, hits = timed(lambda query=query: index.search(query))
            lat.append(ms)
            found.append([h.id for h in hits])
        p50, p95 = percentiles(lat)
        entry = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1)}
        if name in truths:
            entry["recall@10"] = round(recall(found, truths[name]), 4)
        result["search"][name] = entry
    result.update({f"after_queries_{k}": v for k, v in node_stats(index).items() if "heap" in k})
    if not args.keep:
        client.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
        client.indices.delete_index_template(name=alias, ignore=[404])
    return result


def report(r: dict, production_ef: int) -> None:
    print(f"\nn={r['n']} m={r['m']} ef_construction={r['ef_construction']}")
    print(f"  indexing: {r['docs_per_second']} docs/s ({r['index_seconds']} s)")
    print(f"  heap {r['heap_used_mb']}/{r['heap_max_mb']} MB, disk {r['disk_mb']} MB,", end=" ")
    print(f"{r['segments']} segments")
    print(f"  exact (knn_score): p50 {r['exact_p50_ms']:.1f} ms, p95 {r['exact_p95_ms']:.1f} ms")
    for ef, k in r["knn"].items():
        print(f"  kNN k=10 ef_search={ef}: recall@10 {k['recall@10']:.3f}", end=" ")
        print(f"(held-out {k['recall@10_held_out']:.3f}),", end=" ")
        print(f"p50 {k['p50_ms']} ms, p95 {k['p95_ms']} ms")
    for name, s in r["search"].items():
        extra = f", recall@10 {s['recall@10']:.3f}" if "recall@10" in s else ""
        print(f"  index.search {name}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms{extra}")
    chosen = r["knn"].get(production_ef) or next(iter(r["knn"].values()))
    print(f"  ratio exact/HNSW p50 latency: {r['exact_p50_ms'] / chosen['p50_ms']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--m", type=lambda s: [int(x) for x in s.split(",")], default=[16])
    parser.add_argument("--ef-construction", type=int, default=128)
    parser.add_argument(
        "--ef", type=lambda s: [int(x) for x in s.split(",")], default=[10, 32, 64, 100, 200]
    )
    parser.add_argument("--production-ef", type=int, default=100)
    parser.add_argument("--exact-queries", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the index afterwards")
    args = parser.parse_args()

    captions = load_captions()
    texts = [c for caps in captions for c in caps]
    t0 = time.perf_counter()
    centres = embed(texts)
    rng = np.random.default_rng(1)
    picks = rng.choice(len(texts), size=args.queries, replace=False)
    # A query is another caption of the same photo as the centre it was drawn near.
    query_texts = [captions[i // 5][(i % 5 + 1) % 5] for i in picks]
    queries = embed(query_texts)
    corpus = Corpus(args.n, captions, centres)
    print(f"corpus of {args.n} documents ready in {time.perf_counter() - t0:.0f} s", flush=True)
    results = []
    for m in args.m:
        result = run(args, corpus, queries, query_texts, m)
        results.append(result)
        print(json.dumps(result), flush=True)
    for result in results:
        report(result, args.production_ef)


if __name__ == "__main__":
    main()
