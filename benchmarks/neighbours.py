"""The borrowed-words neighbour index (usearch HNSW, cosine) at archive scale.

Synthetic 1280-d visual vectors (clustered like the classifier's: a few thousand directions
plus noise) are added to a usearch index per dtype; printed per size: build time, memory,
p50/p95 of one k=10 query, and recall@10 against exact search (numpy) on 200 queries. The
baseline is exact search over the same matrix in the same run.

Usage: python benchmarks/neighbours.py [--sizes 10000,100000] [--dtypes f16,i8]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from usearch.index import Index

DIM = 1280
QUERIES = 200
K = 10


def vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(size=(max(n // 50, 10), DIM)).astype(np.float32)
    out = centres[rng.integers(0, len(centres), n)] + 0.8 * rng.normal(size=(n, DIM)).astype(
        np.float32
    )
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    return f"{statistics.median(ordered) * 1000:.2f} / {p95 * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dtypes", default="f16,i8")
    args = parser.parse_args()
    rng = np.random.default_rng(15)
    header = ("images", "index", "build s", "MB", "query ms p50 / p95", "recall@10")
    print("{:>9} {:>6} {:>8} {:>7} {:>20} {:>9}".format(*header))
    for size in map(int, args.sizes.split(",")):
        data = vectors(size, rng)
        queries = data[rng.integers(0, size, QUERIES)] + 0.05 * rng.normal(size=(QUERIES, DIM))
        queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
        exact, times = [], []
        for q in queries:
            started = time.perf_counter()
            exact.append(set(np.argpartition(-(data @ q), K)[:K].tolist()))
            times.append(time.perf_counter() - started)
        megabytes = data.nbytes / 2**20
        print(f"{size:>9} {'exact':>6} {'-':>8} {megabytes:>7.0f} {ms(times):>20} {1.0:>9.3f}")
        for dtype in args.dtypes.split(","):
            index = Index(ndim=DIM, metric="cos", dtype=dtype, expansion_search=128)
            started = time.perf_counter()
            index.add(np.arange(size), data)
            build = time.perf_counter() - started
            times, hits = [], 0
            for q, truth in zip(queries, exact, strict=True):
                started = time.perf_counter()
                found = index.search(q, K)
                times.append(time.perf_counter() - started)
                hits += len(truth & set(found.keys.tolist()))
            print(
                f"{size:>9} {dtype:>6} {build:>8.1f} {index.memory_usage / 2**20:>7.0f} "
                f"{ms(times):>20} {hits / (K * QUERIES):>9.3f}"
            )


if __name__ == "__main__":
    main()
