"""Search quality on ../shared/photos/eval, next to the floor method in the same run.

- Recall@1/5/10 of `search`: each of the 5 human captions of an image is a query whose answer
  is that image (MS-COCO and Flickr8k reported separately).
- Precision@10 of `suggest` for the articles in articles.jsonl (relevant = at least
  min_caption_matches captions match relevant_caption_regex).
- Baseline ("floor"): the top ImageNet labels as a text string embedded with MiniLM, cosine to
  the query, from the same stored classifier outputs.
- Ablations (--ablations): each side alone, the fusion method, MMR on/off, the article query
  parts, boosts off; in-process over the same queries (--sample N: every Nth caption query).

Usage: python benchmarks/quality.py [--re-embed] [--reindex] [--ablations] [--sample N]
       [--no-floor] [--articles] [--set NAME=VALUE ...]   (first run ingests 440 photos: ~10 min)
       python benchmarks/quality.py --mixed [--re-embed] [--articles]   (half captioned: mixed.py)
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHARED, django_setup, override_photodesk  # noqa: E402

EVAL = SHARED / "photos" / "eval"
KS = (1, 5, 10)
WITH_TAGS = {"caption": 1.0, "ocr_text": 0.7, "metadata": 0.8, "people": 1.5, "labels": 0.5}


def load_eval() -> tuple[list[dict], list[dict]]:
    captions = [json.loads(line) for line in (EVAL / "captions.jsonl").open()]
    articles = [json.loads(line) for line in (EVAL / "articles.jsonl").open()]
    return captions, articles


def recall(rankings: list[list[str]], answers: list[str]) -> dict[int, float]:
    return {
        k: sum(a in r[:k] for r, a in zip(rankings, answers, strict=True)) / len(answers)
        for k in KS
    }


def article_precision(rankings: list[list[str]], articles: list[dict], captions: list[dict]):
    by_file = {c["file"]: c for c in captions}
    precisions = []
    for ranking, article in zip(rankings, articles, strict=True):
        pattern = re.compile(article["relevant_caption_regex"], re.I)
        relevant = sum(
            sum(bool(pattern.search(c)) for c in by_file[f]["captions"])
            >= article["min_caption_matches"]
            for f in ranking[:10]
        )
        precisions.append(relevant / 10)
    return sum(precisions) / len(precisions), precisions


def article_ceilings(articles: list[dict], captions: list[dict]) -> list[float]:
    """The best precision@10 each article can reach on this set: its relevant photos (at most
    10) / 10. Baseball has 7, surf 3: the mean of these is the benchmark's ceiling."""
    ceilings = []
    for article in articles:
        pattern = re.compile(article["relevant_caption_regex"], re.I)
        relevant = sum(
            sum(bool(pattern.search(c)) for c in item["captions"]) >= article["min_caption_matches"]
            for item in captions
        )
        ceilings.append(min(relevant, 10) / 10)
    return ceilings


def print_articles(precision: float, per_article: list[float], articles, captions) -> None:
    ceilings = article_ceilings(articles, captions)
    print(f"Article precision@10: {precision:.3f} (ceiling {sum(ceilings) / len(ceilings):.3f})")
    for article, p, top in zip(articles, per_article, ceilings, strict=True):
        print(f"  {p:.1f} / {top:.1f}  {article['title']}")


def baseline_rankings(queries: list[str]) -> list[list[str]]:
    """The floor: the top-5 ImageNet class names of the standard centre crop (EfficientNet-Lite0),
    joined into one string and embedded with MiniLM; cosine to the query."""
    import numpy as np
    from PIL import Image, ImageOps

    from photodesk.analysis.embedding import embedder
    from photodesk.conf import photodesk_settings
    from photodesk.inference.classifier import ImageNetClassifier, load_class_names, views
    from photodesk.inference.registry import get_model
    from photodesk.models import ImageAnalysis

    names = load_class_names(photodesk_settings.model_dir)
    classifier = get_model(ImageNetClassifier, photodesk_settings.model_dir, 1)
    classifier.ensure_loaded()
    rows = list(ImageAnalysis.objects.done().select_related("image").order_by("image_id"))
    texts = []
    for a in rows:
        with a.image.file.open("rb") as fh:
            centre = views(ImageOps.exif_transpose(Image.open(fh)).convert("RGB"))[1]
        logits = classifier.session.run(["logits"], {"image": classifier._batch([centre])})[0][0]
        texts.append(", ".join(names[i] for i in np.argsort(-logits)[:5]))
    image_vectors = embedder().predict(texts)
    query_vectors = embedder().predict(queries)
    order = np.argsort(-(query_vectors @ image_vectors.T), axis=1)[:, :10]
    files = [a.image.original_filename for a in rows]
    return [[files[j] for j in row] for row in order]


def rankings_for(queries: list[str], options) -> list[list[str]]:
    from photodesk.search.service import search_images

    return [
        [r.image.original_filename for r in search_images(q, limit=10, options=options)]
        for q in queries
    ]


def article_rankings_for(articles: list[dict], options, **query) -> list[list[str]]:
    from photodesk.search.service import suggest_for_text

    return [
        [
            r.image.original_filename
            for r in suggest_for_text(a["title"], a["body"], options=options, **query)
        ]
        for a in articles
    ]


def ablations(queries, answers, articles, captions) -> None:
    """Each row changes one thing from the shipped configuration (first row)."""
    from photodesk.search.ranking import RankingOptions

    search = RankingOptions.for_search()
    suggest = RankingOptions.for_suggestions()
    no_mmr = {"mmr_lambda": 1.0, "duplicate_similarity": 2.0}
    rows = [
        ("shipped", {}, {}),
        ("vector side only", {"use_keywords": False}, {"use_keywords": False}),
        ("keyword side only", {"use_vectors": False}, {"use_vectors": False}),
        ("fusion: RRF", {"fusion": "rrf"}, {"fusion": "rrf"}),
        ("fusion: scores", {"fusion": "scores"}, {"fusion": "scores"}),
        ("tags on keyword side (0.5)", {"field_weights": WITH_TAGS}, {"field_weights": WITH_TAGS}),
        ("keyword weight 1", {"keyword_weight": 1.0}, {"keyword_weight": 1.0}),
        (
            "RRF, keyword weight 1 (before)",
            {"fusion": "rrf", "keyword_weight": 1.0},
            {
                "fusion": "rrf",
                "keyword_weight": 1.0,
                "mmr_lambda": 1.0,
                "duplicate_similarity": 2.0,
                "unused_boost": 0.0,
                "recency_boost": 0.0,
            },
        ),
        ("MMR off", {}, no_mmr),
        ("MMR lambda 0.9, duplicates 0.97", {}, {"mmr_lambda": 0.9, "duplicate_similarity": 0.97}),
        ("no boosts", {}, {"unused_boost": 0.0, "recency_boost": 0.0}),
    ]
    print(f"\n{'ablation':32}{'R@10':>8}{'P@10':>8}")
    seen: dict[str, float] = {}
    for label, search_changes, suggest_changes in rows:
        key = repr(sorted(search_changes.items(), key=str))
        if key not in seen:
            rankings = rankings_for(queries, replace(search, **search_changes))
            seen[key] = recall(rankings, answers)[10]
        p, _ = article_precision(
            article_rankings_for(articles, replace(suggest, **suggest_changes)), articles, captions
        )
        print(f"{label:32}{seen[key]:8.3f}{p:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--re-embed",
        action="store_true",
        help="Recompute image vectors from stored facts (after a recipe change).",
    )
    parser.add_argument("--reindex", action="store_true", help="Rebuild the index first.")
    parser.add_argument("--ablations", action="store_true", help="Print the ablation table.")
    parser.add_argument("--sample", type=int, default=1, help="Ablations: every Nth query.")
    parser.add_argument("--no-floor", action="store_true", help="Skip the floor method.")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Override a PHOTODESK setting (JSON value); with --re-embed for vector recipes.",
    )
    parser.add_argument(
        "--articles",
        action="store_true",
        help="Article precision@10 only (no caption queries, no floor): seconds, not minutes.",
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="The mixed archive instead (half the photos carry an IPTC caption): mixed.py.",
    )
    args, rest = parser.parse_known_args()
    if args.mixed:
        import mixed

        mixed.main()  # its own options (--re-embed, --set)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    django_setup()
    override_photodesk(args.set)
    from django.core.management import call_command

    from photodesk.search.service import suggest_for_article

    captions, articles = load_eval()
    started = time.perf_counter()
    call_command("ingest", str(EVAL / "images"), sync=True)
    call_command("analyze", sync=True)  # re-analyse what an older pipeline made
    print(f"ingest and analysis: {time.perf_counter() - started:.0f} s")
    if args.re_embed:
        call_command("reindex", re_embed=True)
    elif args.reindex:
        call_command("reindex", no_progress=True)
    if args.articles:
        rankings = [
            [
                r.image.original_filename
                for r in suggest_for_article(title=a["title"], body=a["body"])
            ]
            for a in articles
        ]
        print_articles(*article_precision(rankings, articles, captions), articles, captions)
        return

    queries, answers, sources = [], [], []
    for item in captions:
        for caption in item["captions"]:
            queries.append(caption.strip())
            answers.append(item["file"])
            sources.append("COCO" if item["source"].startswith("MS-COCO") else "Flickr8k")
    from django.conf import settings

    query_file = Path(settings.BENCH_DIR) / "queries.txt"  # BENCH_DIR: settings.bench
    query_file.write_text("\n".join(queries) + "\n")

    started = time.perf_counter()
    out = io.StringIO()
    call_command("search", queries=query_file, limit=10, json=True, stdout=out)
    elapsed = time.perf_counter() - started
    ours = [
        [r["original_filename"] for r in json.loads(line)] for line in out.getvalue().splitlines()
    ]
    article_rankings = [
        [r.image.original_filename for r in suggest_for_article(title=a["title"], body=a["body"])]
        for a in articles
    ]
    if args.no_floor:
        floor, floor_articles = ours, article_rankings
    else:
        floor = baseline_rankings(queries)
        floor_articles = baseline_rankings([f"{a['title']}. {a['body']}" for a in articles])

    print(
        f"\n{len(queries)} caption queries over {len(captions)} photos "
        f"({elapsed / len(queries) * 1000:.1f} ms per search)\n"
    )
    print(f"{'':24}{'R@1':>7}{'R@5':>7}{'R@10':>7}")
    for label, rankings in (("floor (labels string)", floor), ("photodesk", ours)):
        for subset in ("all", "COCO", "Flickr8k"):
            keep = [i for i, s in enumerate(sources) if subset == "all" or s == subset]
            r = recall([rankings[i] for i in keep], [answers[i] for i in keep])
            print(f"{label[:14] + ' ' + subset:24}{r[1]:7.3f}{r[5]:7.3f}{r[10]:7.3f}")
    base_r10 = recall(floor, answers)[10]
    our_r10 = recall(ours, answers)[10]
    base_p, _ = article_precision(floor_articles, articles, captions)
    our_p, per_article = article_precision(article_rankings, articles, captions)
    print(f"\nRecall@10: {our_r10:.3f} vs floor {base_r10:.3f} (x{our_r10 / base_r10:.2f})")
    ratio = our_p / max(base_p, 1e-9)
    print(f"Floor article precision@10: {base_p:.3f} (ours x{ratio:.2f})")
    print_articles(our_p, per_article, articles, captions)
    if args.ablations:
        step = max(args.sample, 1)
        ablations(queries[::step], answers[::step], articles, captions)


if __name__ == "__main__":
    main()
