"""One suggestion end to end on OpenSearch at archive scale (default 1,000,000 images): p50/p95
of suggest_for_text, the time of each stage, and recall@10 of the kNN side against exact search.

The archive is benchmarks/index_scale.py's corpus (every image takes one of the ~2,200 human
captions of ../shared/photos/eval and a vector near its MiniLM embedding; sizes, dates,
rights, text in one image in ten), written twice, as the app would have it:
- the index, through OpenSearchIndex.replace_all (what `reindex` does: bulk with refresh off
  and no replicas, then the alias swap); the build rate is measured;
- the database (SQLite under var/bench-os<n>): one Image and one done ImageAnalysis row per
  document, with the same caption, rights, size, OCR text, byline and vector, because the
  suggestion reads rows for its results, boosts and reasons.

Queries: the eval articles (../shared/photos/eval/articles.jsonl) and, for more of them,
article-shaped texts made of other captions of the eval photos (a title and three sentences).
Each stage is timed by wrapping the service's own functions (nothing replaced; the wrappers
call through):
- understanding: build_article_query and people_named (spaCy, names in the archive);
- embedding: the query vectors (MiniLM);
- index: index.search (one msearch: a kNN query per query vector and the BM25 query), and
  apart, index_vectors: the candidates' stored vectors (mget), read for the similarity of
  several query vectors and again for diversity;
- database: the candidates' Image rows, people shown, series, and _results' reads (analyses,
  tags, lenders);
- ranking: adjust and diversify;
- reasons: explain, per result.
recall@10: for each query vector of the articles, OpenSearch's kNN (k=10, the configured
ef_search, the default suggestion filters inside) against numpy brute force over the same
vectors and filter.

Usage:
  python benchmarks/opensearch_scale.py index   [--n 1000000]   # build the index (long)
  python benchmarks/opensearch_scale.py db      [--n 1000000]   # the matching rows
  python benchmarks/opensearch_scale.py merge   [--n 1000000] [--segments 1]
       # what replace_all does before the swap (OPENSEARCH_MERGE_SEGMENTS), on the built
       # index: its time and segments; `measure` before and after compares the latency
  python benchmarks/opensearch_scale.py measure [--n 1000000] [--queries 60] [--repeat 2]
       [--set NAME=JSON ...] [--cached]   (--cached: repeats hit the query embedding cache)
(a node of its own: OPENSEARCH_PORT=9250 OPENSEARCH_RUN_DIR=/work/os-1m
 OPENSEARCH_JAVA_OPTS="-Xms4g -Xmx4g" bash scripts/opensearch.sh start; OPENSEARCH_URL=...)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
ARTICLES = SHARED / "photos/eval/articles.jsonl"
URL = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9250")


def workdir(n: int) -> Path:
    return ROOT / "var" / f"bench-os{n}"


def setup(n: int) -> None:
    folder = workdir(n)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["BENCH_DIR"] = str(folder)
    from _setup import django_setup

    django_setup()


def alias(n: int) -> str:
    return f"photodesk-os{n}"


def corpus(n: int):
    """index_scale's corpus (same seed: the index and the rows agree), centres cached."""
    import index_scale

    cache = workdir(n) / "centres.npy"
    captions = index_scale.load_captions()
    if cache.exists():
        centres = np.load(cache)
    else:
        centres = index_scale.embed([c for caps in captions for c in caps])
        np.save(cache, centres)
    return index_scale.Corpus(n, captions, centres)


def documents(c) -> Iterator:
    """index_scale's documents with the attributes build_document gives today."""
    for doc in c.documents():
        doc.fields["usage"] = ""
        doc.attributes.update(flagged=False, people_ids=[], labels=["photo"])
        yield doc


def opensearch(n: int, **changes):
    from photodesk.search.index import opensearch_options
    from photodesk.search.index.opensearch import OpenSearchIndex

    options = opensearch_options(
        url=URL, index=alias(n), timeout=600, replicas=0, swap_grace=0, **changes
    )
    return OpenSearchIndex(options, dimension=384)


def replace_all(index, c, workers: int) -> int:
    """OpenSearchIndex.replace_all, its documents made and sent by `workers` processes: on
    a shared 2-core machine one Python process building the sources (to_source) starves the
    node. The same steps, through the backend's own pieces: a new index with refresh off and
    no replicas, bulk writes, settings restored, refresh, the alias swap; not the force merge
    (OPENSEARCH_MERGE_SEGMENTS), which the `merge` stage times on its own."""
    import multiprocessing

    new = index._create_next(
        {
            "settings": {"index": {"number_of_replicas": 0, "refresh_interval": "-1"}},
            "aliases": {index.building_alias: {}},
        }
    )
    index._claim_build(new)
    bounds = np.linspace(0, c.n, workers + 1).astype(int)
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        args = [(new, c.n, int(a), int(b)) for a, b in zip(bounds, bounds[1:], strict=False)]
        written = sum(pool.starmap(_load_part, args))
    serve(index, new)
    return written


def serve(index, new: str) -> None:
    """What replace_all does after loading, without the merge: a refresh (long at 1M),
    replicas and refreshes back (the backend's _open), the alias swap."""
    index.client.indices.refresh(index=new, request_timeout=3600)
    index._open(new)
    index._swap(new)


_CORPUS = None  # set before forking: the workers share its arrays


def _load_part(new: str, n: int, start: int, stop: int) -> int:
    from itertools import islice

    from photodesk.search.index.opensearch import schema

    index = opensearch(n)  # its own connection (not the parent's, across a fork)
    actions = (
        ({"index": {"_index": new, "_id": str(source["id"])}}, source)
        for source in map(schema.to_source, islice(documents(_CORPUS), start, stop))
    )
    return index._bulk(actions, concurrency=1)


def build_index(n: int, workers: int = 3) -> None:
    global _CORPUS
    c = _CORPUS = corpus(n)
    index = opensearch(n)
    index.client.indices.delete(index=f"{alias(n)}-v*", ignore_unavailable=True)
    started = time.perf_counter()
    written = replace_all(index, c, workers)
    seconds = time.perf_counter() - started
    record_build(index, n, workers, written, seconds)


def record_build(index, n: int, workers: int, written: int, seconds: float, **extra) -> None:
    """The build's rate, disk and segments: printed and kept beside the database."""
    stats = index.client.indices.stats(index=index.alias, metric="store,segments")["_all"]
    result = {
        "n": n,
        "workers": workers,
        "written": written,
        **extra,
        "seconds": round(seconds),
        "docs_per_second": round(written / seconds),
        "disk_mb": round(stats["primaries"]["store"]["size_in_bytes"] / 2**20),
        "segments": stats["primaries"]["segments"]["count"],
    }
    (workdir(n) / "build.json").write_text(json.dumps(result))
    print(json.dumps(result), flush=True)


def merge(n: int, segments: int) -> None:
    """The force merge replace_all runs before the swap, on the index the alias serves."""
    index = opensearch(n, merge_segments=segments)
    target = index.aliases()[index.alias][0]

    def count() -> int:
        stats = index.client.indices.stats(index=target, metric="segments")["_all"]
        return stats["primaries"]["segments"]["count"]

    before = count()
    started = time.perf_counter()
    index._merge(target)
    result = {
        "n": n,
        "segments_before": before,
        "segments_after": count(),
        "merge_seconds": round(time.perf_counter() - started, 1),
    }
    (workdir(n) / "merge.json").write_text(json.dumps(result))
    print(json.dumps(result), flush=True)


def finish(n: int, workers: int = 3) -> None:
    """When the load was stopped before n (its processes killed): what replace_all does
    after loading (settings restored, refresh, swap), and the build rate so far."""
    index = opensearch(n)
    new = index.aliases()[index.building_alias][0]
    settings = index.client.indices.get_settings(index=new)[new]["settings"]["index"]
    sent = index.client.indices.stats(index=new, metric="indexing")["_all"]["primaries"]
    stopped = time.time()
    serve(index, new)
    written = index.count()
    seconds = stopped - int(settings["creation_date"]) / 1000
    record_build(index, n, workers, written, seconds, indexed_total=sent["indexing"]["index_total"])


def indexed(index, n: int, workers: int = 3) -> np.ndarray:
    """Which of the corpus's documents the index holds (all, unless a build was stopped: then
    a prefix of each loading process's range)."""
    mask = np.zeros(n, bool)
    bounds = np.linspace(0, n, workers + 1).astype(int)
    for a, b in zip(bounds, bounds[1:], strict=False):
        body = {
            "size": 0,
            "query": {"range": {"id": {"gt": int(a), "lte": int(b)}}},
            "aggs": {"top": {"max": {"field": "id"}}},
        }
        top = index.client.search(index=index.alias, body=body)["aggregations"]["top"]["value"]
        if top:
            mask[a : int(top)] = True
    assert mask.sum() == index.count(), (mask.sum(), index.count())
    return mask


def build_db(n: int) -> None:
    """Image + ImageAnalysis rows with the documents' ids and facts (bulk inserts)."""
    import index_scale
    from django.db import transaction

    from cms_images.models import Image
    from photodesk.models import ImageAnalysis

    c = corpus(n)
    if Image.objects.count() == n:
        print("database ready", flush=True)
        return
    Image.objects.all().delete()
    # The classifier's evidence (ImageNet class -> probability), one set per subject: the
    # "looks like" reason weighs it against the query.
    rng = np.random.default_rng(3)
    concepts = [
        {
            str(k): round(float(p), 3)
            for k, p in zip(
                rng.choice(1000, 4, replace=False), (0.45, 0.2, 0.08, 0.03), strict=True
            )
        }
        for _ in c.texts
    ]
    started = time.perf_counter()
    step = 20_000
    for lo in range(0, n, step):
        images, analyses = [], []
        for i in range(lo, min(n, lo + step)):
            caption = c.texts[c.topic[i]]
            city = index_scale.CITIES[c.city[i]]
            ocr = (
                " ".join(index_scale.OCR_WORDS[(i + j) % 10] for j in range(3)) if c.ocr[i] else ""
            )
            images.append(
                Image(
                    id=i + 1,
                    file=f"original_images/os{i + 1}.jpg",
                    title=caption[:60],
                    caption=caption,
                    credit="Staff photographer",
                    rights=index_scale.RIGHTS[c.rights[i]],
                    width=int(c.width[i]),
                    height=int(c.height[i]),
                    content_hash=f"os{i + 1}",
                    original_filename=f"os{i + 1}.jpg",
                )
            )
            analysis = ImageAnalysis(
                image_id=i + 1,
                status=ImageAnalysis.Status.DONE,
                labels=[{"name": "photo", "confidence": 50.0, "source": "classifier"}],
                concepts=concepts[c.topic[i]],
                ocr_text=ocr,
                photo_metadata={"byline": "Staff photographer", "city": city},
                description=caption,
                embedding_model="all-MiniLM-L6-v2",
                index_pending=False,
            )
            analysis.vector = c.vectors[i]
            analyses.append(analysis)
        with transaction.atomic():
            Image.objects.bulk_create(images, batch_size=2000)
            ImageAnalysis.objects.bulk_create(analyses, batch_size=2000)
        if lo % 200_000 == 0:
            print(f"{lo + len(images)} rows, {time.perf_counter() - started:.0f} s", flush=True)
    print(f"database: {n} rows in {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------- measuring


class Stages:
    """Exclusive time per stage for the current suggestion: a stage called inside another
    (a database query inside ranking) is counted once, in the inner one."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.stack: list[list] = []  # [stage, started, time spent in inner stages]
        self.queries = 0

    def enter(self, stage: str) -> None:
        self.stack.append([stage, time.perf_counter(), 0.0])

    def leave(self) -> None:
        stage, started, inner = self.stack.pop()
        spent = time.perf_counter() - started
        self.totals[stage] += spent - inner
        if self.stack:
            self.stack[-1][2] += spent

    def wrap(self, owner, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            self.enter(stage)
            try:
                return original(*args, **kwargs)
            finally:
                self.leave()

        setattr(owner, name, wrapper)

    def sql(self, execute, sql, params, many, context):
        self.queries += 1
        self.enter("database")
        try:
            return execute(sql, params, many, context)
        finally:
            self.leave()

    def take(self) -> tuple[dict[str, float], int]:
        totals, queries = dict(self.totals), self.queries
        self.totals.clear()
        self.queries = 0
        return totals, queries


def instrument() -> Stages:
    """Wrap the suggestion's stages where the service looks them up (behaviour unchanged)."""
    from photodesk.analysis import embedding
    from photodesk.search import ranking, service
    from photodesk.search.index.opensearch import OpenSearchIndex

    stages = Stages()
    stages.wrap(service, "build_article_query", "understanding")
    stages.wrap(service, "people_named", "understanding")
    stages.wrap(embedding, "query_vectors", "embedding")
    stages.wrap(OpenSearchIndex, "search", "index")
    # the stored vectors (mget): for the similarity of several query vectors, and diversity
    stages.wrap(OpenSearchIndex, "_vectors", "index_vectors")
    stages.wrap(service, "adjust", "ranking")
    stages.wrap(ranking, "usage_of", "database")
    stages.wrap(service, "diversify", "ranking")
    stages.wrap(service, "explain", "reasons")
    return stages


def article_queries(count: int) -> list[tuple[str, str]]:
    """The eval articles, then article-shaped texts from captions of the eval photos."""
    import index_scale

    articles = [(a["title"], a["body"]) for a in map(json.loads, ARTICLES.open())]
    captions = index_scale.load_captions()
    rng = np.random.default_rng(7)
    while len(articles) < count:
        photo = captions[int(rng.integers(len(captions)))]
        # 4 to 12 sentences: the photo's other captions, then other photos' (an article
        # touches several subjects)
        others = [captions[int(i)][0] for i in rng.integers(len(captions), size=rng.integers(1, 9))]
        title = photo[0].rstrip(".")
        body = " ".join([*photo[1:4], *others])
        articles.append((title, body))
    return articles[:count]


def recall_at_10(n: int, articles: list[tuple[str, str]]) -> dict:
    """The kNN side as suggestions run it (one query vector, default filters inside the graph
    search, the configured ef_search) against numpy over the same vectors and filter."""
    import index_scale

    from photodesk.analysis import embedding
    from photodesk.search.index import SearchQuery, get_index
    from photodesk.search.service import default_suggestion_filters
    from photodesk.search.text.query import build_article_query

    c = corpus(n)
    filters = default_suggestion_filters()
    allowed = np.isin(np.array(index_scale.RIGHTS), sorted(filters.rights_in))
    mask = allowed[c.rights] & indexed(get_index(), n)
    vectors = np.concatenate(
        [embedding.query_vectors(build_article_query(t, b).texts) for t, b in articles]
    ).astype(np.float32)
    truth = c.exact_top(vectors, 10, mask)
    index = get_index()
    found, seconds = [], []
    for v in vectors:
        started = time.perf_counter()
        hits = index.search(SearchQuery(vectors=[v], filters=filters, limit=10))
        seconds.append(time.perf_counter() - started)
        found.append([h.id for h in hits])
    return {
        "vectors": len(vectors),
        "recall@10": round(index_scale.recall(found, truth), 4),
        # one kNN query (one vector, k=10), through index.search: the node's graph search
        # plus a request's round trip
        "knn_p50_ms": round(1000 * percentile(seconds, 50), 1),
        "knn_p95_ms": round(1000 * percentile(seconds, 95), 1),
    }


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def measure(
    n: int, articles: list[tuple[str, str]], repeat: int, stages: Stages, cached: bool = False
) -> dict:
    from django.db import connection

    from photodesk.search.service import suggest_for_text

    for title, body in articles[:10]:  # warm: models loaded, caches and the node's pages
        suggest_for_text(title, body, limit=10)
    stages.take()
    totals, splits, queries = [], [], []
    from photodesk.analysis import embedding

    with connection.execute_wrapper(stages.sql):
        for _ in range(repeat):
            for title, body in articles:
                if not cached:  # each suggestion embeds its texts, as a new article would
                    embedding._query_cache.clear()
                started = time.perf_counter()
                results = suggest_for_text(title, body, limit=10)
                totals.append(time.perf_counter() - started)
                split, count = stages.take()
                split["other"] = totals[-1] - sum(split.values())
                splits.append(split)
                queries.append(count)
                assert results, title
    names = [
        "understanding",
        "embedding",
        "index",
        "index_vectors",
        "database",
        "ranking",
        "reasons",
        "other",
    ]
    ms = {
        name: (
            round(1000 * percentile([s.get(name, 0.0) for s in splits], 50), 1),
            round(1000 * float(np.mean([s.get(name, 0.0) for s in splits])), 1),
        )
        for name in names
    }
    return {
        "suggestions": len(totals),
        "p50_ms": round(1000 * percentile(totals, 50), 1),
        "p95_ms": round(1000 * percentile(totals, 95), 1),
        "stages_p50_mean_ms": ms,
        "sql_queries_per_suggestion": round(float(np.mean(queries)), 1),
        "load": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["index", "finish", "db", "merge", "measure"])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], help="PHOTODESK NAME=JSON")
    parser.add_argument("--segments", type=int, default=1, help="merge: at most this many")
    parser.add_argument(
        "--cached",
        action="store_true",
        help="Keep the query embedding cache between suggestions (the repeats then hit it).",
    )
    args = parser.parse_args()
    setup(args.n)
    if args.what == "index":
        return build_index(args.n)
    if args.what == "finish":
        return finish(args.n)
    if args.what == "db":
        return build_db(args.n)
    if args.what == "merge":
        return merge(args.n, args.segments)

    from _setup import override_photodesk
    from django.conf import settings
    from django.test import override_settings

    override_settings(
        PHOTODESK={
            **settings.PHOTODESK,
            "INDEX_BACKEND": "photodesk.search.index.opensearch.OpenSearchIndex",
            "OPENSEARCH_URL": URL,
            "OPENSEARCH_INDEX": alias(args.n),
        }
    ).enable()
    override_photodesk(args.set)
    from photodesk.search.index import get_index

    size = get_index().count()
    assert size, "build the index first"
    articles = article_queries(args.queries)
    stages = instrument()
    result = {
        "n": args.n,
        "indexed": size,
        **measure(args.n, articles, args.repeat, stages, args.cached),
    }
    result.update(recall_at_10(args.n, articles))
    build = workdir(args.n) / "build.json"
    if build.exists():
        result["build"] = json.loads(build.read_text())
    jvm = next(iter(get_index().client.nodes.stats(metric="jvm")["nodes"].values()))["jvm"]
    result["heap_used_mb"] = round(jvm["mem"]["heap_used_in_bytes"] / 2**20)
    result["heap_max_mb"] = round(jvm["mem"]["heap_max_in_bytes"] / 2**20)
    print(json.dumps(result), flush=True)
    print(
        f"\n{result['suggestions']} suggestions at {args.n} images: "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms; "
        f"recall@10 {result['recall@10']} over {result['vectors']} query vectors; "
        f"one kNN query p50 {result['knn_p50_ms']} ms, p95 {result['knn_p95_ms']} ms"
    )
    for name, (p50, mean) in result["stages_p50_mean_ms"].items():
        print(f"  {name:14} p50 {p50:7.1f} ms   mean {mean:7.1f} ms")


if __name__ == "__main__":
    main()
