"""Series grouping: how well the visual vector tells frames of one burst from other photos.

Bursts are generated from eval photos (tests/burst_frames.py: `--frames` frames each,
shifted, zoomed, tilted and relit a little as a hand-held camera takes them seconds apart,
plus one motion-blurred frame). Distinct photos are the other eval photos (MS-COCO and
Flickr8k: many of one kind, tennis, buses, dogs, which is the hard case). Vectors are the
classifier's 1280-d embedding (ImageAnalysis.visual_embedding), computed as the analysis
computes them.

Printed: the cosine of frame pairs of one burst and of distinct photos, and, at several
thresholds, pair precision and recall of "same series" when nothing but the vector decides
(photos without a capture time; with one, the time window and camera remove nearly all
distinct pairs first).

Usage: python benchmarks/series.py [--bursts 40] [--frames 4]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from photodesk.inference.classifier import ImageNetClassifier  # noqa: E402
from tests.burst_frames import frame, motion_blur  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "photos"


def vector(model: ImageNetClassifier, img: Image.Image) -> np.ndarray:
    v = np.asarray(model.predict(img)[1], dtype=np.float32)
    v = v.mean(axis=0) if v.ndim > 1 else v
    return v / np.linalg.norm(v)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bursts", type=int, default=40)
    parser.add_argument("--frames", type=int, default=4)
    args = parser.parse_args()
    from photodesk.conf import DEFAULTS

    untimed, timed = DEFAULTS["SERIES_SIMILARITY"], DEFAULTS["SERIES_SIMILARITY_TIMED"]

    model = ImageNetClassifier(PHOTOS.parent / "models")
    files = sorted((PHOTOS / "eval" / "images").glob("*.jpg"))
    rng = random.Random(7)
    chosen = rng.sample(files, args.bursts)
    vectors, burst_of = [], []
    for b, f in enumerate(chosen):
        img = ImageOps.exif_transpose(Image.open(f)).convert("RGB")
        frames = [img] + [frame(img, rng) for _ in range(args.frames - 1)]
        frames.append(motion_blur(frame(img, rng)))
        for fr in frames:
            vectors.append(vector(model, fr))
            burst_of.append(b)
    m = np.stack(vectors)
    sims = m @ m.T
    same, other = [], []
    for i, j in itertools.combinations(range(len(m)), 2):
        (same if burst_of[i] == burst_of[j] else other).append(float(sims[i, j]))
    same_a, other_a = np.array(same), np.array(other)
    print(
        f"{args.bursts} bursts x {args.frames + 1} frames (one blurred); "
        f"{len(same)} same-burst pairs, {len(other)} distinct pairs"
    )
    print(
        f"cosine same burst: min {same_a.min():.3f}  5th pct "
        f"{np.percentile(same_a, 5):.3f}  median {np.median(same_a):.3f}"
    )
    print(
        f"cosine distinct:   max {other_a.max():.3f}  99.9th pct "
        f"{np.percentile(other_a, 99.9):.3f}  median {np.median(other_a):.3f}"
    )
    for t in sorted({0.60, 0.65, 0.70, 0.75, 0.80, 0.85, untimed, timed}):
        tp = int((same_a >= t).sum())
        fp = int((other_a >= t).sum())
        precision = tp / (tp + fp) if tp + fp else 1.0
        mark = {untimed: "  <- SERIES_SIMILARITY", timed: "  <- SERIES_SIMILARITY_TIMED"}.get(t, "")
        cp, cr = clustered(sims, burst_of, t)
        print(
            f"threshold {t:.2f}: pairs above it: precision {precision:.3f} recall "
            f"{tp / len(same_a):.3f} ({fp} distinct) | series as grouped (a frame joins when "
            f"close to any member): precision {cp:.3f} recall {cr:.3f}{mark}"
        )


def clustered(sims: np.ndarray, burst_of: list[int], t: float) -> tuple[float, float]:
    """Pair precision and recall of the connected components at threshold t."""
    n = len(burst_of)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(*np.nonzero(np.triu(sims >= t, 1)), strict=True):
        parent[find(int(i))] = find(int(j))
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(n), 2):
        together, same = find(i) == find(j), burst_of[i] == burst_of[j]
        tp += together and same
        fp += together and not same
        fn += same and not together
    return tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn)


if __name__ == "__main__":
    main()
