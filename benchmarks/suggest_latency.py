"""Latency of one suggestion (suggest_for_text: query understanding, embedding, hybrid index
search, boosts, diversity, reasons) at the demo archive's size and at 10 000 images.

The archive is the 440 analysed eval photos of benchmarks/quality.py (run it first), copied
into a private database: each copy is a new Image + ImageAnalysis row (same facts) and a new
index document whose vector is the original's plus a little noise, so results, reasons and
near-duplicate checks do real work. Printed next to a baseline measured in the same run: the
bare index search for the same query (what ranking, usage, people and reasons add).

With --source DIR, the archive is another benchmark's (e.g. the mixed one of quality.py
--mixed, whose uncaptioned photos borrow words); its word-lending neighbours are copied with the
photos, and each size is measured with them and again without (what the borrowed-words reasons
add, in the same run).

Usage: python benchmarks/suggest_latency.py [--sizes 40,10000] [--repeat 5] [--opensearch]
       [--source BENCH_DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-latency"

ARTICLES = Path(__file__).resolve().parent.parent.parent / "shared/photos/eval/articles.jsonl"
EXTRA = [
    (
        "Cloud software chief tours Toyota plant",
        "Werner Vogels, Amazon's chief technology officer, spent Tuesday at Toyota's "
        "headquarters in Aichi, talking to engineers about self-driving software. The "
        "automaker plans to put the system in its sedans and hatchbacks by 2028.",
    ),
]


def prepare(source_dir: Path | None = None) -> None:
    """A private copy of the quality benchmark's database (never modify that one)."""
    source = (source_dir or ROOT / "var" / "bench") / "db.sqlite3"
    if not source.exists():
        sys.exit("Run benchmarks/quality.py first (it analyses the eval photos).")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    shutil.copy(source, WORK / "db.sqlite3")
    os.environ["BENCH_DIR"] = str(WORK)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")


def grow(size: int, rng) -> list:
    """Make the archive `size` images (copies of the analysed ones); return index documents."""
    import numpy as np

    from cms_images.models import Image
    from photodesk.indexing import build_document
    from photodesk.models import ImageAnalysis

    originals = list(ImageAnalysis.objects.done().select_related("image").order_by("image_id"))
    base_docs = [build_document(a.image, a) for a in originals]
    have = Image.objects.count()
    copies_needed = max(size - have, 0)
    new_images, new_analyses = [], []
    for i in range(copies_needed):
        a = originals[i % len(originals)]
        image = Image(
            file=a.image.file.name,
            title=a.image.title,
            caption=a.image.caption,
            width=a.image.width,
            height=a.image.height,
            original_filename=f"copy{i}_{a.image.original_filename}",
            content_hash=f"copy{i}",
        )
        new_images.append(image)
    Image.objects.bulk_create(new_images, batch_size=1000)
    created = list(Image.objects.filter(content_hash__startswith="copy").order_by("pk"))
    for i, image in enumerate(created):
        a = originals[i % len(originals)]
        clone = ImageAnalysis(
            image=image,
            **{
                f.name: getattr(a, f.name)
                for f in ImageAnalysis._meta.concrete_fields
                if f.name not in {"id", "image"}
            },
        )
        new_analyses.append(clone)
    ImageAnalysis.objects.bulk_create(new_analyses, batch_size=1000)
    copy_neighbours(originals, created)
    docs = []
    for i, image in enumerate(created):
        doc = base_docs[i % len(base_docs)]
        noise = rng.normal(scale=0.02, size=doc.vector.shape).astype(np.float32)
        vector = doc.vector + noise
        docs.append(
            type(doc)(image.pk, vector / np.linalg.norm(vector), dict(doc.fields), doc.attributes)
        )
    return (base_docs + docs)[:size]


def copy_neighbours(originals: list, created: list) -> None:
    """Each copy borrows from the same photos as its original."""
    from photodesk.models import Neighbour

    listed: dict[int, list] = {}
    for row in Neighbour.objects.filter(image_id__in=[a.image_id for a in originals]):
        listed.setdefault(row.image_id, []).append(row)
    rows = [
        Neighbour(
            image_id=image.pk, lender_id=n.lender_id, similarity=n.similarity, weight=n.weight
        )
        for i, image in enumerate(created)
        for n in listed.get(originals[i % len(originals)].image_id, [])
    ]
    Neighbour.objects.bulk_create(rows, batch_size=1000)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(articles: list[tuple[str, str]], repeat: int) -> dict[str, tuple[float, float]]:
    from photodesk.analysis import embedding
    from photodesk.search.index import SearchQuery, get_index
    from photodesk.search.service import default_suggestion_filters, suggest_for_text
    from photodesk.search.text.query import build_article_query

    for title, body in articles:  # warm up: models loaded, caches filled
        suggest_for_text(title, body)
    full, bare = [], []
    for _ in range(repeat):
        for title, body in articles:
            started = time.perf_counter()
            suggest_for_text(title, body, limit=10)
            full.append(time.perf_counter() - started)
            built = build_article_query(title, body)
            query = SearchQuery(
                vectors=list(embedding.query_vectors(built.texts)),
                keywords=built.keywords,
                filters=default_suggestion_filters(),
                limit=10,
            )
            started = time.perf_counter()
            get_index().search(query)
            bare.append(time.perf_counter() - started)
    return {"suggestion": percentiles(full), "index search alone": percentiles(bare)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="40,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--opensearch", action="store_true", help="Also on the OpenSearch node.")
    parser.add_argument("--source", type=Path, help="Another benchmark's BENCH_DIR to copy.")
    args = parser.parse_args()
    prepare(args.source)
    from _setup import django_setup

    django_setup()
    import numpy as np

    from photodesk.search.index import get_index

    articles = [(a["title"], a["body"]) for a in map(json.loads, ARTICLES.open())] + EXTRA
    sizes = [int(s) for s in args.sizes.split(",")]
    docs = grow(max(sizes), np.random.default_rng(0))
    print(f"{len(articles)} articles x {args.repeat}; ms p50 / p95\n")
    print(f"{'backend':12}{'images':>8}{'suggestion':>22}{'index search alone':>22}{'ratio':>8}")
    backends = ["embedded"] + (["opensearch"] if args.opensearch else [])
    for backend in backends:
        for size in sizes:
            from django.test import override_settings

            from photodesk.conf import photodesk_settings

            conf = dict(getattr(__import__("django.conf").conf.settings, "PHOTODESK", {}))
            if backend == "opensearch":
                conf.update(
                    INDEX_BACKEND="photodesk.search.index.opensearch.OpenSearchIndex",
                    OPENSEARCH_URL=os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"),
                    OPENSEARCH_INDEX=f"photodesk-latency-{os.getpid()}",
                    OPENSEARCH_REPLICAS=0,
                    OPENSEARCH_SWAP_GRACE=0,
                )
            else:
                conf["INDEX_PATH"] = WORK / f"index-{size}"
            with override_settings(PHOTODESK=conf):
                index = get_index()
                index.replace_all(docs[:size])
                try:
                    results = {"": measure(articles, args.repeat)}
                    if args.source:
                        from photodesk.models import Neighbour

                        kept = list(Neighbour.objects.all())
                        Neighbour.objects.all().delete()
                        results[" (no borrowed)"] = measure(articles, args.repeat)
                        Neighbour.objects.bulk_create(kept, batch_size=1000)
                finally:
                    if backend == "opensearch":
                        alias = photodesk_settings.OPENSEARCH_INDEX
                        index.client.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
                        index.client.indices.delete_index_template(name=alias, ignore=404)
            for label, result in results.items():
                (s50, s95), (b50, b95) = result["suggestion"], result["index search alone"]
                print(
                    f"{backend:12}{size:>8}{s50:>12.1f} / {s95:<7.1f}{b50:>12.1f} / {b95:<7.1f}"
                    f"{s50 / max(b50, 1e-9):>8.1f}x{label}"
                )


if __name__ == "__main__":
    main()
