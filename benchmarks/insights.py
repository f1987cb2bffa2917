"""The insights charts at archive scale on PostgreSQL, and the map of the archive at 100,000.

Charts: synthetic rows written with bulk_create into a database of its own on the PostgreSQL
server of scripts/postgres.sh (DATABASE_URL, default that script's URL; the database
`photodesk_bench_insights` is created, or reused with --keep): images added over three
years with each rights value, one analysis each (97% done, 2% pending, 0.5% running, 0.5%
failed; 1% flagged), three labels per image out of 300 (Zipf-distributed; 5% waiting for
review), and a named face on one image in five (2,000 people, Zipf). Each chart query
(photodesk/insights/queries.py) is timed warm, median of 5, for the whole archive, the last
90 days, and the last 90 days of editorial images, at each size (--sizes, default
100000,1000000; the archive grows from one size to the next), first by the live queries,
then (the label and ingest charts) from the rollups (photodesk/insights/rollup.py), rebuilt
after the rows are written. Goal: each under 300 ms.

Map: 100,000 synthetic 1280-d vectors in 200 clusters (like photos of 200 subjects):
projection.project() (PCA, UMAP fitted on 20,000, the rest placed among their nearest
fitted neighbours), timed; how well it keeps clusters (share of points whose 10 nearest on
the map are of their own cluster) for the fitted points, the placed ones, and, on 3,000 of
them, UMAP's own transform for comparison; and map_points() (what the map page and API
read) on a stored map of 100,000 points.

Usage: python benchmarks/insights.py [--sizes 100000,1000000] [--keep] [--no-map]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")
DEFAULT_URL = "postgres://photodesk:photodesk@127.0.0.1:5432/photodesk"
BENCH_DB = "photodesk_bench_insights"
LABELS, PEOPLE, BATCH = 300, 2000, 10_000
RIGHTS = ["editorial"] * 6 + ["unrestricted"] * 2 + ["restricted", "forbidden"]


def connect(keep: bool) -> None:
    import dj_database_url
    import psycopg

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    base = dj_database_url.parse(url)
    if not keep:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
    from django.conf import settings

    settings.DATABASES["default"] = {**base, "NAME": BENCH_DB}
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def grow(target: int, rng: np.random.Generator) -> float:
    """Add images (with their analysis, labels and faces) until there are `target`."""
    from cms_images.models import Image
    from photodesk.models import Face, ImageAnalysis, ImageLabel, Label, Person

    have = Image.objects.count()
    if have >= target:
        return 0.0
    if not Label.objects.filter(slug__startswith="bench-").exists():
        Label.objects.bulk_create(
            Label(name=f"bench {i:03d}", slug=f"bench-{i:03d}") for i in range(LABELS)
        )
        Person.objects.bulk_create(Person(name=f"Person {i:04d}") for i in range(PEOPLE))
    label_ids = list(Label.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    person_ids = list(Person.objects.values_list("pk", flat=True))
    label_p = 1 / np.arange(1, len(label_ids) + 1) ** 1.1
    label_p /= label_p.sum()
    person_p = 1 / np.arange(1, len(person_ids) + 1)
    person_p /= person_p.sum()
    created = Image._meta.get_field("created")
    created.auto_now_add = False  # the rows say when they were added
    now = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    try:
        for start in range(have, target, BATCH):
            n = min(BATCH, target - start)
            ages = rng.integers(0, 3 * 365 * 24 * 60, n)
            images = Image.objects.bulk_create(
                Image(
                    file=f"images/bench-{start + i}.jpg",
                    title=f"Bench photo {start + i}",
                    rights=RIGHTS[int(r)],
                    width=800,
                    height=600,
                    created=now - dt.timedelta(minutes=int(a)),
                )
                for i, (a, r) in enumerate(zip(ages, rng.integers(0, len(RIGHTS), n), strict=True))
            )
            states = rng.choice(
                ["done", "pending", "running", "failed"], n, p=[0.97, 0.02, 0.005, 0.005]
            )
            flagged = rng.random(n) < 0.01
            ImageAnalysis.objects.bulk_create(
                ImageAnalysis(
                    image=image,
                    status=str(state),
                    flagged=bool(flag),
                    safety_score=0.9 if flag else 0.05,
                )
                for image, state, flag in zip(images, states, flagged, strict=True)
            )
            # Three distinct labels per image, Zipf-weighted (the Gumbel top-k trick).
            keys = rng.gumbel(size=(n, len(label_ids))) + np.log(label_p)
            picked = np.argpartition(-keys, 3, axis=1)[:, :3]
            review = rng.random((n, 3)) < 0.05
            ImageLabel.objects.bulk_create(
                ImageLabel(
                    image=image,
                    label_id=label_ids[int(picked[i, j])],
                    confidence=80,
                    source="bench",
                    state="review" if review[i, j] else "auto",
                )
                for i, image in enumerate(images)
                for j in range(3)
            )
            with_face = np.flatnonzero(rng.random(n) < 0.2)
            shown = rng.choice(person_ids, size=len(with_face), p=person_p)
            Face.objects.bulk_create(
                Face(
                    image=images[int(i)],
                    box=[0, 0, 50, 50],
                    detection_confidence=0.9,
                    person_id=int(person),
                    state="auto",
                )
                for i, person in zip(with_face, shown, strict=True)
            )
            print(f"  {start + n:>9,} images ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        created.auto_now_add = True
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started


ROLLUP_CHARTS = ("ingest per day", "top labels (60)", "labels over time (5)")


def time_charts(size: int, only: tuple[str, ...] = ()) -> list[tuple[str, str, float]]:
    from photodesk.insights import queries
    from photodesk.insights.filters import Filters

    today = dt.date.today()
    last_90 = Filters(start=today - dt.timedelta(days=89))
    cases = {
        "whole archive": Filters(),
        "last 90 days": last_90,
        "90 days, editorial": Filters(start=last_90.start, rights=("editorial",)),
    }
    top5 = [row["label_id"] for row in queries.top_labels(Filters(), limit=5)]
    charts = {
        "analysis states": lambda f: queries.analysis_states(f),
        "ingest per day": lambda f: queries.ingest_per_day(f),
        "top labels (60)": lambda f: queries.top_labels(f),
        "labels over time (5)": lambda f: queries.labels_over_time(f, top5),
        "review backlog": lambda f: queries.review_backlog(f),
        "people most shown": lambda f: queries.people_most_shown(f),
        "flagged images": lambda f: queries.flagged_images(f),
    }
    results = []
    for chart, run in charts.items():
        if only and chart not in only:
            continue
        for case, filters in cases.items():
            run(filters)  # warm
            times = []
            for _ in range(5):
                started = time.perf_counter()
                run(filters)
                times.append((time.perf_counter() - started) * 1000)
            ms = statistics.median(times)
            results.append((chart, case, ms))
            print(f"  {size:>9,}  {chart:<22} {case:<20} {ms:8.1f} ms", flush=True)
    return results


def clustered(
    n: int, rng: np.random.Generator, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    which = rng.integers(0, len(centres), n)
    vectors = centres[which] + rng.normal(scale=0.9, size=(n, centres.shape[1])).astype(np.float32)
    return vectors.astype(np.float32), which


def kept_together(coords: np.ndarray, clusters: np.ndarray, rows: np.ndarray, k: int = 10) -> float:
    """Share of the map's 10 nearest points (among all) that are of the row's own cluster."""
    hits = 0
    for start in range(0, len(rows), 1000):
        part = rows[start : start + 1000]
        d = ((coords[part, None, :] - coords[None, :, :]) ** 2).sum(axis=2)
        d[np.arange(len(part)), part] = np.inf
        nearest = np.argpartition(d, k, axis=1)[:, :k]
        hits += (clusters[nearest] == clusters[part, None]).sum()
    return hits / (len(rows) * k)


def time_map(n: int = 100_000) -> None:
    from photodesk.insights import projection
    from photodesk.insights.filters import Filters
    from photodesk.models import ArchiveMap

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(200, 1280)).astype(np.float32)
    vectors, clusters = clustered(n, rng, centres)
    started = time.monotonic()
    coords, method = projection.project(vectors)
    seconds = time.monotonic() - started
    print(f"\nmap of {n:,}: {seconds:.1f} s ({method})")
    rng2 = np.random.default_rng(0)  # project()'s sample
    fitted = np.sort(rng2.choice(n, size=min(n, projection.MAP_FIT_SAMPLE), replace=False))
    placed = np.setdiff1d(np.arange(n), fitted)
    check = np.random.default_rng(2)
    for name, rows in (("fitted", fitted), ("placed", placed)):
        score = kept_together(coords, clusters, check.choice(rows, 3000))
        print(f"  kept together, {name}: {score:.2f}")

    # UMAP's own transform on 3,000 of the placed ones, for comparison (time and quality).
    import umap

    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    mean = unit[fitted].mean(axis=0)
    _, _, vt = np.linalg.svd(unit[fitted] - mean, full_matrices=False)
    reduced = ((unit - mean) @ vt[:50].T).astype(np.float32)
    model = umap.UMAP(
        n_neighbors=15, min_dist=0.1, metric="cosine", random_state=0, low_memory=True
    )
    fit_coords = model.fit_transform(reduced[fitted])
    some = check.choice(placed, 3000, replace=False)
    both = np.concatenate([fitted, some])
    started = time.monotonic()
    by_umap = model.transform(reduced[some])
    umap_s = time.monotonic() - started
    started = time.monotonic()
    by_neighbours = projection.place_among_neighbours(reduced[some], reduced[fitted], fit_coords)
    ours_s = time.monotonic() - started
    rows = np.arange(len(fitted), len(both))
    for name, placed_coords, secs in (
        ("umap transform", by_umap, umap_s),
        ("nearest fitted", by_neighbours, ours_s),
    ):
        grid = np.vstack([fit_coords, placed_coords])
        score = kept_together(grid, clusters[both], rows)
        print(f"  3,000 placed by {name}: {secs:.1f} s, kept together {score:.2f}")

    # What the page reads: the stored map, filtered, sampled to 20,000, with titles.
    from cms_images.models import Image

    ids = list(Image.objects.order_by("pk").values_list("pk", flat=True)[:n])
    scaled = projection._scaled(coords[: len(ids)])
    ArchiveMap.objects.all().delete()
    archive_map = ArchiveMap.objects.create(
        method=method,
        vector="synthetic",
        images=len(ids),
        fitted_on=len(fitted),
        points=[[i, float(x), float(y), ["bench"]] for i, (x, y) in zip(ids, scaled, strict=True)],
    )
    for case, filters in (
        ("whole archive", Filters()),
        ("editorial", Filters(rights=("editorial",))),
    ):
        started = time.perf_counter()
        shown = projection.map_points(ArchiveMap.objects.get(pk=archive_map.pk), filters)
        ms = (time.perf_counter() - started) * 1000
        print(f"  map_points, {case}: {ms:.0f} ms for {shown['shown']:,} of {shown['total']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--keep", action="store_true", help="reuse the database's rows")
    parser.add_argument("--no-map", action="store_true")
    args = parser.parse_args()
    connect(args.keep)
    from photodesk.insights import rollup
    from photodesk.models import RollupBuild

    rng = np.random.default_rng(0)
    table = []
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        print(f"\n{size:,} images: writing rows…", flush=True)
        seconds = grow(size, rng)
        print(f"  written in {seconds:.0f} s", flush=True)
        # The live queries first (the rollups not read), then the rollups, counted again
        # after the bulk writes (which their signals do not see).
        RollupBuild.objects.all().delete()
        print("  live queries:", flush=True)
        live = time_charts(size)
        build = rollup.rebuild()
        print(f"  rollups rebuilt in {build.seconds:.1f} s; with the rollups:", flush=True)
        rolled = {(chart, case): ms for chart, case, ms in time_charts(size, ROLLUP_CHARTS)}
        table += [(size, chart, case, ms, rolled.get((chart, case))) for chart, case, ms in live]
        if size == 100_000 and not args.no_map:
            time_map(size)
    print("\n| images | chart | filter | live ms | with the rollups ms (median of 5) |")
    print("|---:|---|---|---:|---:|")
    for size, chart, case, ms, rolled_ms in table:
        after = "" if rolled_ms is None else f"{rolled_ms:.0f}"
        print(f"| {size:,} | {chart} | {case} | {ms:.0f} | {after} |")
    table = [
        (size, chart, case, ms if after is None else after)
        for size, chart, case, ms, after in table
    ]
    worst = max(table, key=lambda row: row[3])
    print(
        f"\nslowest: {worst[1]} ({worst[2]}) at {worst[0]:,}: {worst[3]:.0f} ms; "
        f"goal 300 ms; ratio {worst[3] / 300:.2f}"
    )


if __name__ == "__main__":
    main()
