"""The embedded index at archive scale, before and after, in one run: search and suggestion
latency, the cost of writing one document, a cold process's first search, and memory.

The corpus is benchmarks/index_scale.py's (every document takes one of the ~2,200 human
captions of ../shared/photos/eval and a vector near its MiniLM embedding; sizes, dates,
rights). The queries are other captions of the same photos:
- search: one query vector and its words (search_images' shape);
- suggestion: an article's shape (suggest_for_text): four query vectors fused, the words of
  four captions (~20 words) on the keyword side, the default suggestion filters (reusable
  rights, not flagged) and a few excluded ids, a pool of 50.
"old" is benchmarks/legacy_embedded.py (the index before the SQLite store), "new" the
current photodesk.search.index.embedded; ratios are old / new from this run.

Measured per size and implementation:
- p50/p95 of index.search for each query shape (warm process);
- write: upserting one changed document (p50/p95), and the next search of another instance
  on the same folder (a web process catching up with the worker's write);
- new only: a snapshot (written every SNAPSHOT_AFTER changes), and the write cost amortised;
- cold: a fresh process that opens the index and answers one search (wall time of the
  open + search, and of the whole process), its RSS before opening the index and after 20
  searches (page cache warm: the index was just written, as after a worker's write).

Usage: python benchmarks/scale.py [--sizes 1000,10000,100000] [--old-max 100000]
       [--queries 100] [--writes 50]  (1,000,000 runs the new index only, ~4 GB of RAM)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
WORK = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench")) / "scale"

EXCLUDED = frozenset(range(1, 40, 3))  # an article's own images


def implementation(name: str):
    if name == "old":
        import legacy_embedded as module
    else:
        import photodesk.search.index.embedded as module
    return module.EmbeddedIndex, module.EmbeddedOptions


def open_index(name: str, folder: Path, dimension: int = 384):
    index_class, options = implementation(name)
    return index_class(options(folder), dimension=dimension)


def queries_from(folder: Path):
    from photodesk.search.index.base import Filters, SearchQuery

    data = json.loads((folder / "queries.json").read_text())
    vectors = np.load(folder / "queries.npy")
    searches = [
        SearchQuery(vectors=[vectors[i]], keywords=text) for i, text in enumerate(data["texts"])
    ]
    filters = Filters(
        rights_in={"editorial", "unrestricted"}, exclude_flagged=True, exclude_ids=set(EXCLUDED)
    )
    suggestions = []
    for i in range(len(vectors)):
        parts = [(i + j) % len(vectors) for j in range(4)]
        suggestions.append(
            SearchQuery(
                vectors=[vectors[p] for p in parts],
                keywords=" ".join(data["texts"][p] for p in parts),
                filters=filters,
                limit=50,
            )
        )
    return searches, suggestions


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cold(name: str, folder: Path) -> None:
    """Run in a fresh process: open the index, answer one search, then 20 more."""
    started = time.perf_counter()
    index_class, options = implementation(name)
    searches, suggestions = queries_from(folder.parent)
    before = rss_mb()
    imported = time.perf_counter()
    index = index_class(options(folder), dimension=384)
    index.search(suggestions[0])
    first = time.perf_counter()
    for query in searches[:10] + suggestions[:10]:
        index.search(query)
    print(
        json.dumps(
            {
                "first_search_ms": (first - imported) * 1000,
                "imports_ms": (imported - started) * 1000,
                "rss_before_mb": before,
                "rss_after_mb": rss_mb(),
            }
        )
    )


def measure(name: str, folder: Path, documents, args, log) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    index = open_index(name, folder)
    result: dict = {}
    result["build_s"] = timed_ms(lambda: index.replace_all(documents)) / 1000
    searches, suggestions = queries_from(folder.parent)
    count = args.queries if len(documents) <= 10_000 or name == "new" else args.slow_queries
    for query in searches[:3] + suggestions[:3]:
        index.search(query)  # warm up
    for label, queries in (("search", searches), ("suggestion", suggestions)):
        wall, cpu = [], []
        for query in queries[:count]:
            started = time.process_time()
            wall.append(timed_ms(lambda q=query: index.search(q)))
            cpu.append((time.process_time() - started) * 1000)
        result[label], result[f"{label}_cpu"] = percentiles(wall), percentiles(cpu)
    log(f"  {name} {len(documents)}: searched")

    # One changed document at a time, as the worker writes after analysing an image; another
    # instance on the same folder (a web process) searches next.
    reader = open_index(name, folder)
    reader.search(searches[0])
    writes = args.writes if len(documents) <= 10_000 or name == "new" else args.slow_writes
    write_ms, catch_up_ms = [], []
    for i in range(writes):
        document = documents[(i * 7919) % len(documents)]
        changed = replace(document, fields={**document.fields, "caption": f"changed {i}"})
        write_ms.append(timed_ms(lambda d=changed: index.upsert([d])))
        catch_up_ms.append(timed_ms(lambda i=i: reader.search(searches[i % len(searches)])))
    result["write"] = percentiles(write_ms)
    result["next_search_elsewhere"] = percentiles(catch_up_ms)
    if name == "new":
        result["snapshot_ms"] = timed_ms(lambda: take_snapshot(index))
    log(f"  {name} {len(documents)}: written")

    child = subprocess.run(
        [sys.executable, __file__, "--cold", name, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result["cold"] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


def take_snapshot(index) -> None:
    with index._lock, index.store.locked():
        with index.store.transaction() as connection:
            index._catch_up(connection)
            index._take_snapshot(connection, index._segments)
        index._drop_old_snapshots()


def prepare(args):
    from index_scale import Corpus, embed, load_captions

    captions = load_captions()
    texts = [c for caps in captions for c in caps]
    WORK.mkdir(parents=True, exist_ok=True)
    cache = WORK / f"centres-{len(texts)}.npy"
    if not cache.exists():
        np.save(cache, embed(texts))
    centres = np.load(cache)
    rng = np.random.default_rng(1)
    picks = rng.choice(len(texts), size=args.queries, replace=False)
    query_texts = [captions[i // 5][(i % 5 + 1) % 5] for i in picks]
    (WORK / "queries.json").write_text(json.dumps({"texts": query_texts}))
    if not (WORK / "queries.npy").exists() or len(np.load(WORK / "queries.npy")) != len(picks):
        np.save(WORK / "queries.npy", embed(query_texts))
    return Corpus(max(args.sizes), captions, centres)


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[0]:8.1f} /{pair[1]:8.1f}"


def report(results: dict) -> None:
    print("\nms p50 / p95; ratio = old / new (p95 for latencies)\n")
    header = (
        f"{'images':>9} {'impl':4} {'search':>18} {'suggestion':>18} {'write one doc':>18} "
        f"{'next search elsewhere':>22} {'cold first search':>17} {'RSS MB':>14}"
    )
    print(header)
    for size, by_name in results.items():
        for name, r in by_name.items():
            c = r["cold"]
            rss = f"{c['rss_after_mb']:.0f} (+{c['rss_after_mb'] - c['rss_before_mb']:.0f})"
            print(
                f"{size:>9} {name:4} {fmt(r['search'])} {fmt(r['suggestion'])} {fmt(r['write'])}"
                f" {fmt(r['next_search_elsewhere']):>22} {c['first_search_ms']:>14.0f} ms "
                f"{rss:>14}"
            )
        if {"old", "new"} <= set(by_name):
            old, new = by_name["old"], by_name["new"]
            ratios = [
                old[k][1] / max(new[k][1], 1e-9)
                for k in ("search", "suggestion", "write", "next_search_elsewhere")
            ]
            cold_ratio = old["cold"]["first_search_ms"] / new["cold"]["first_search_ms"]
            rss_ratio = old["cold"]["rss_after_mb"] / new["cold"]["rss_after_mb"]
            print(
                f"{size:>9} {'x':4} {ratios[0]:>17.1f}x {ratios[1]:>17.1f}x {ratios[2]:>17.1f}x"
                f" {ratios[3]:>21.1f}x {cold_ratio:>16.1f}x {rss_ratio:>13.1f}x"
            )
        if "new" in by_name:
            new = by_name["new"]
            amortised = new["write"][0] + new["snapshot_ms"] / 1000
            print(
                f"{'':>9} new: build {new['build_s']:.1f} s, snapshot {new['snapshot_ms']:.0f} ms"
                f" every 1000 changes (write amortised {amortised:.1f} ms), cold process imports"
                f" {new['cold']['imports_ms']:.0f} ms"
                + (f"; old build {by_name['old']['build_s']:.1f} s" if "old" in by_name else "")
            )


def report_cpu(results: dict) -> None:
    print("\nCPU time of the same searches (all threads), ms p50 / p95\n")
    print(f"{'images':>9} {'impl':4} {'search':>18} {'suggestion':>18}")
    for size, by_name in results.items():
        for name, r in by_name.items():
            print(f"{size:>9} {name:4} {fmt(r['search_cpu'])} {fmt(r['suggestion_cpu'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1000, 10_000, 100_000])  # fmt: skip
    parser.add_argument("--old-max", type=int, default=100_000, help="largest size for old")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--slow-queries", type=int, default=20, help="old index above 10k")
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--slow-writes", type=int, default=3, help="old index above 10k")
    parser.add_argument("--cold", nargs=2, metavar=("IMPL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold:
        cold(args.cold[0], Path(args.cold[1]))
        return
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", flush=True)

    corpus = prepare(args)
    log(f"corpus of {corpus.n} documents")
    results: dict = {}
    for size in args.sizes:
        documents = []
        for document in corpus.documents():
            if len(documents) == size:
                break
            documents.append(document)
        names = ["new", "old"] if size <= args.old_max else ["new"]
        results[size] = {}
        for name in names:
            results[size][name] = measure(name, WORK / f"{name}-{size}", documents, args, log)
            log(f"{name} {size}: {json.dumps(results[size][name])}")
            shutil.rmtree(WORK / f"{name}-{size}", ignore_errors=True)
    report(results)
    report_cpu(results)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
