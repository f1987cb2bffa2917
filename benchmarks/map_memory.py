"""Memory and time of computing the archive map (insights/projection.compute_map) from the
database, against the way it was computed before (every vector read into memory, then
projected), in one run.

The archive: N images with a done analysis each and a synthetic 1280-d visual vector in 200
clusters (like photos of 200 subjects), written to a PostgreSQL database of its own
(`photodesk_bench_map` on the server of DATABASE_URL, default scripts/postgres.sh's), or
reused with --keep. Each way runs in a child process; printed: wall seconds, the child's
peak resident memory, and the ratios before / now.

Usage: python benchmarks/map_memory.py [--n 100000] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")
DEFAULT_URL = "postgres://photodesk:photodesk@127.0.0.1:5432/photodesk"
BENCH_DB = "photodesk_bench_map"
BATCH = 5_000


def connect(create: bool) -> None:
    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if create:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    from django.conf import settings

    settings.DATABASES["default"] = {**dj_database_url.parse(url), "NAME": BENCH_DB}
    import django

    django.setup()
    if create:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def fill(n: int) -> None:
    from cms_images.models import Image
    from photodesk.models import ImageAnalysis

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(200, 1280)).astype(np.float32)
    for start in range(0, n, BATCH):
        count = min(BATCH, n - start)
        images = Image.objects.bulk_create(
            Image(
                file=f"images/map-{start + i}.jpg",
                title=f"Map photo {start + i}",
                width=800,
                height=600,
            )
            for i in range(count)
        )
        which = rng.integers(0, len(centres), count)
        vectors = centres[which] + rng.normal(scale=0.9, size=(count, 1280)).astype(np.float32)
        ImageAnalysis.objects.bulk_create(
            ImageAnalysis(image=image, status="done", visual_embedding=v.tobytes())
            for image, v in zip(images, vectors.astype(np.float32), strict=True)
        )
        print(f"\r  {start + count:,} / {n:,} written", end="", flush=True)
    print()


def run_before() -> str:
    """The map as it was computed before: every vector in memory, then projected."""
    from photodesk.insights import projection
    from photodesk.models import ImageAnalysis

    rows = (
        ImageAnalysis.objects.done()
        .exclude(visual_embedding=None)
        .values_list("image_id", "visual_embedding")
        .iterator(chunk_size=2000)
    )
    ids, vectors = [], []
    for image_id, blob in rows:
        ids.append(image_id)
        vectors.append(np.frombuffer(bytes(blob), dtype=np.float32))
    coords, method = projection.project(np.vstack(vectors))
    return f"{len(ids)} placed ({method})"


def run_now() -> str:
    from photodesk.insights import projection

    archive_map = projection.compute_map()
    return f"{archive_map.images} placed ({archive_map.method})"


def child(way: str) -> None:
    connect(create=False)
    started = time.monotonic()
    what = {"before": run_before, "now": run_now}[way]()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{time.monotonic() - started:.1f} {peak:.0f} {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database's rows")
    parser.add_argument("--child", choices=["before", "now"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    connect(create=not args.keep)
    if not args.keep:
        fill(args.n)
    results = {}
    for way in ("before", "now"):
        out = (
            subprocess.run(
                [sys.executable, __file__, "--child", way],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        seconds, peak, what = out.split(" ", 2)
        results[way] = (float(seconds), float(peak))
        print(f"{way:>6}: {float(seconds):7.1f} s, peak RSS {float(peak):7.0f} MB  {what}")
    (t0, m0), (t1, m1) = results["before"], results["now"]
    print(f"ratio before / now: time {t0 / t1:.2f}, peak memory {m0 / m1:.2f}")


if __name__ == "__main__":
    main()
