"""How much the words of the articles that use a photo should weigh in its vector
(USAGE_WORDS_WEIGHT), on the eval photos as benchmarks/quality.py ingested them.

The eval set has no articles, so both ends are simulated, vector side only, for half the
photos (fixed seed): a "related" article (its title describes the photo: caption 5 of that
photo stands for it, an optimistic case) and an "unrelated" one (a story the photo only
illustrates: caption 5 of another photo, the pessimistic case). Queries are captions 1-4 of
every photo; Recall@10 by cosine over all photos, for the used and the unused photos apart.
The weight must help the used photos when the words fit, and cost little when they do not.

Usage: BENCH_DIR=... python benchmarks/usage_words.py   (after quality.py has ingested)
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup  # noqa: E402
from quality import load_eval  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-9)


def main() -> None:
    django_setup()
    from photodesk.analysis.embedding import embedder
    from photodesk.models import ImageAnalysis

    captions, _ = load_eval()
    stored = {
        a.image.original_filename: a.vector
        for a in ImageAnalysis.objects.indexable().select_related("image")
    }
    items = [c for c in captions if c["file"] in stored]
    files = [c["file"] for c in items]
    base = np.stack([stored[f] for f in files]).astype(np.float32)
    rng = random.Random(15)
    used = set(rng.sample(range(len(files)), len(files) // 2))
    others = list(range(len(files)))
    rng.shuffle(others)
    titles = {
        "related": [c["captions"][4] for c in items],
        "unrelated": [items[others[i]]["captions"][4] for i in range(len(items))],
    }
    queries, answers = [], []
    for i, item in enumerate(items):
        for caption in item["captions"][:4]:
            queries.append(caption)
            answers.append(i)
    q = unit(embedder().predict(queries))
    answers = np.array(answers)
    is_used = np.array([a in used for a in answers])
    print(f"{len(files)} photos, {len(used)} used in an article, {len(queries)} queries")
    print("case      | weight | R@10 used | R@10 unused")
    for case, texts in titles.items():
        words = unit(embedder().predict(texts))
        for weight in WEIGHTS:
            vectors = base.copy()
            for i in used:
                vectors[i] = base[i] + weight * words[i]
            sims = q @ unit(vectors).T
            top = np.argsort(-sims, axis=1)[:, :10]
            hit = (top == answers[:, None]).any(axis=1)
            print(
                f"{case:9} | {weight:6} | {hit[is_used].mean():9.3f} | {hit[~is_used].mean():.3f}"
            )


if __name__ == "__main__":
    main()
