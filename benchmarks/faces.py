"""Faces: clustering quality, speed on the CPU and the memory the face models take.

A generated set (tests/face_scenes.py, bigger than the tests'): 9 different people from
../shared/photos, each pasted into `--per-person` background scenes (resized, brightened or
darkened, sometimes mirrored), plus scenes of two people together. Ground truth is who was
pasted where. Printed:

- memory: RSS before and after loading each face model (the detector as the baseline);
- speed: the full face analysis (detect + quality + expression + 128-d embedding) per image and
  per face, against detection alone measured in the same run (the ratio);
- detector choice (`--cnn N`): the dlib CNN detector on N scenes against the detector;
- distances: same-person and different-people embedding distances in the set, and (with
  `--real`) between the faces found in the 479 real demo/eval photos (nearly all different
  people): the share of pairs under the auto/review thresholds (false matches);
- clustering (chinese whispers, as the clustering task runs it) at several thresholds: purity
  and pair precision/recall, and the recognition rule (nearest named face within
  FACE_AUTO_DISTANCE / FACE_REVIEW_DISTANCE) on held-out scenes.

The detector is FACE_DETECTOR's (HOG unless BENCH_FACE_DETECTOR names another, e.g.
`BENCH_FACE_DETECTOR=blazeface`).

Usage: python benchmarks/faces.py [--per-person 6] [--cnn 10] [--real]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")
    import django

    django.setup()


def pair_scores(truth: list[str], labels: list[int]) -> tuple[float, float, float]:
    """Purity, pair precision and pair recall of a clustering against the truth."""
    n = len(truth)
    clusters: dict[int, list[str]] = {}
    for t, label in zip(truth, labels, strict=True):
        clusters.setdefault(label, []).append(t)
    purity = sum(max(m.count(x) for x in set(m)) for m in clusters.values()) / n
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(n), 2):
        same_person, same_cluster = truth[i] == truth[j], labels[i] == labels[j]
        tp += same_person and same_cluster
        fp += same_cluster and not same_person
        fn += same_person and not same_cluster
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return purity, precision, recall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-person", type=int, default=6)
    parser.add_argument("--cnn", type=int, default=0, help="also run the CNN on N scenes")
    parser.add_argument("--real", action="store_true", help="distances on real photos too")
    args = parser.parse_args()

    setup()

    from photodesk.analysis.analyzers import faces as face_analyzer
    from photodesk.analysis.decode import decode
    from photodesk.conf import photodesk_settings
    from photodesk.inference.faces import FaceDetector
    from photodesk.inference.registry import get_model
    from photodesk.people.clustering import chinese_whispers
    from tests.face_scenes import PEOPLE, make_scenes

    detector_name = f"{photodesk_settings.FACE_DETECTOR} detector (baseline)"
    # --- memory ---------------------------------------------------------------------------
    print("Memory (RSS, MB)")
    base = rss_mb()
    steps = [
        (detector_name, face_analyzer.detector),
        ("5-point landmarks + ResNet embedding", face_analyzer.embedder),
        ("FER expression (TFLite)", face_analyzer.expression_model),
    ]
    sizes = {}
    for name, factory in steps:
        before = rss_mb()
        factory().ensure_loaded()
        sizes[name] = rss_mb() - before
        print(f"  {name:<40} +{sizes[name]:6.1f}")
    total = rss_mb() - base
    hog = max(sizes[detector_name], 0.1)
    print(f"  {'all face models':<40} +{total:6.1f}  ({total / hog:.0f}x the detector alone)")
    if args.cnn:
        before = rss_mb()
        cnn = get_model(FaceDetector, photodesk_settings.model_dir, 1, kind="cnn")
        cnn.ensure_loaded()
        print(f"  {'CNN (MMOD) detector, for comparison':<40} +{rss_mb() - before:6.1f}")

    # --- the generated set ----------------------------------------------------------------
    tmp = Path(tempfile.mkdtemp(prefix="photodesk-bench-faces-"))
    people = list(PEOPLE)
    pairs = list(zip(people[::2], people[1::2], strict=False))
    scenes = make_scenes(tmp / "set", people, args.per_person, pairs=pairs, seed=11)
    held_out = make_scenes(tmp / "held-out", people, 2, seed=12)
    print(f"\nGenerated set: {len(scenes)} scenes of {len(people)} people ({tmp})")

    photos = [decode(s.path.read_bytes(), s.path.name) for s in scenes]
    detector = face_analyzer.detector()
    # CPU seconds of this process (the machine is shared: wall time is printed too).
    start, wall = time.process_time(), time.perf_counter()
    for photo in photos:
        detector.predict(photo.pixels)
    hog_seconds, hog_wall = time.process_time() - start, time.perf_counter() - wall
    start, wall = time.process_time(), time.perf_counter()
    results = [face_analyzer.detect_faces(photo, with_embeddings=True) for photo in photos]
    full_seconds, full_wall = time.process_time() - start, time.perf_counter() - wall
    n_faces = sum(len(r) for r in results)
    n_images = len(photos)
    side = np.mean([max(p.pixels.size) for p in photos])
    print(
        f"Speed (1 thread, CPU time, {side:.0f}-px images): {detector_name} alone "
        f"{hog_seconds / n_images * 1000:.0f} ms/image; full face analysis "
        f"{full_seconds / n_images * 1000:.0f} ms/image, {n_faces / full_seconds:.1f} faces/s "
        f"({n_faces} faces) — {full_seconds / hog_seconds:.2f}x detection alone "
        f"(wall: {hog_wall / n_images * 1000:.0f} and {full_wall / n_images * 1000:.0f} ms/image)"
    )

    truth, vectors, expected, found = [], [], 0, 0
    for scene, faces in zip(scenes, results, strict=True):
        expected += len(scene.people)
        usable = [f for f in faces if f["usable"]]
        found += min(len(usable), len(scene.people))
        if len(scene.people) == 1 and len(usable) == 1:
            truth.append(scene.people[0])
            vectors.append(usable[0]["embedding"])
        elif len(scene.people) == 2 and len(usable) == 2:
            left, right = sorted(usable, key=lambda f: f["box"][0])
            truth += list(scene.people)
            vectors += [left["embedding"], right["embedding"]]
    print(f"Detection: {found}/{expected} pasted faces found usable ({found / expected:.1%})")

    if args.cnn:
        subset = photos[: args.cnn]
        start = time.process_time()
        cnn_found = sum(len(cnn.predict(p.pixels)) for p in subset)
        cnn_seconds = time.process_time() - start
        start = time.process_time()
        hog_found = sum(len(detector.predict(p.pixels)) for p in subset)
        hog_sub = time.process_time() - start
        print(
            f"CNN detector on {len(subset)} scenes: {cnn_seconds / len(subset) * 1000:.0f} "
            f"ms/image, {cnn_found} faces; {detector_name} "
            f"{hog_sub / len(subset) * 1000:.0f} ms/image, "
            f"{hog_found} faces — CNN costs {cnn_seconds / hog_sub:.1f}x"
        )

    # --- distances ------------------------------------------------------------------------
    V = np.stack(vectors)
    T = np.array(truth)
    D = np.linalg.norm(V[:, None] - V[None], axis=2)
    upper = np.triu(np.ones_like(D, dtype=bool), 1)
    same = D[upper & (T[:, None] == T[None])]
    diff = D[upper & (T[:, None] != T[None])]
    auto, review = photodesk_settings.FACE_AUTO_DISTANCE, photodesk_settings.FACE_REVIEW_DISTANCE
    print(
        f"\nDistances: same person mean {same.mean():.3f}, max {same.max():.3f}; "
        f"different people mean {diff.mean():.3f}, min {diff.min():.3f}; "
        f"different pairs under {auto} (auto): {(diff <= auto).mean():.2%}, "
        f"under {review} (review): {(diff <= review).mean():.2%}"
    )
    if args.real:
        shared = ROOT.parent / "shared" / "photos"
        files = sorted((shared / "demo").glob("*.jpg")) + sorted((shared / "eval/images").iterdir())
        real = []
        for file in files:
            photo = decode(file.read_bytes(), file.name)
            real += [
                f["embedding"]
                for f in face_analyzer.detect_faces(photo, with_embeddings=True)
                if f["usable"]
            ]
        R = np.stack(real)
        RD = np.linalg.norm(R[:, None] - R[None], axis=2)[np.triu(np.ones((len(R),) * 2, bool), 1)]
        # A few photos are in both demo/ and eval/: the same face twice (distance ~0) is left
        # out; what remains are faces of different people (as far as looking at them tells).
        RD = RD[RD > 0.1]
        under_auto, under_review = int((auto >= RD).sum()), int((review >= RD).sum())
        print(
            f"Real photos: {len(real)} usable faces in {len(files)} photos, {len(RD)} pairs of "
            f"different faces; distance mean {RD.mean():.3f}, min {RD.min():.3f}, 1st "
            f"percentile {np.percentile(RD, 1):.3f}; pairs within {auto} (auto): "
            f"{under_auto / len(RD):.2%} ({under_auto}), within {review} (review): "
            f"{under_review / len(RD):.2%} ({under_review})"
        )

    # --- clustering -----------------------------------------------------------------------
    print("\nClustering (chinese whispers) on", len(truth), "usable faces")
    print("  threshold  clusters  purity  pair precision  pair recall")
    baseline = None
    for threshold in (0.4, 0.5, 0.6):
        labels = chinese_whispers(V, threshold)
        purity, precision, recall = pair_scores(truth, labels)
        marker = (
            "  <- FACE_CLUSTER_DISTANCE"
            if threshold == photodesk_settings.FACE_CLUSTER_DISTANCE
            else ""
        )
        print(
            f"  {threshold:9.2f}  {len(set(labels)):8d}  {purity:6.3f}  {precision:14.3f}  "
            f"{recall:11.3f}{marker}"
        )
        if threshold == photodesk_settings.FACE_CLUSTER_DISTANCE:
            baseline = (purity, precision, recall)
    # Baseline in the same run: one cluster per face (what the admin would show unclustered).
    purity, precision, recall = pair_scores(truth, list(range(len(truth))))
    print(f"  no clustering (one face each): purity {purity:.3f}, pair recall {recall:.3f}")

    # --- recognition ----------------------------------------------------------------------
    nearest = []  # (distance to the nearest named face, is that face the right person)
    missed = 0
    for scene in held_out:
        photo = decode(scene.path.read_bytes(), scene.path.name)
        faces = [f for f in face_analyzer.detect_faces(photo, with_embeddings=True) if f["usable"]]
        if not faces:
            missed += 1
            continue
        d = np.linalg.norm(V - faces[0]["embedding"], axis=1)
        best = int(d.argmin())
        nearest.append((float(d[best]), T[best] == scene.people[0]))
    print(f"\nRecognition of {len(held_out)} held-out scenes ({missed} without a usable face):")
    for limit in sorted({0.4, auto, 0.5, review}):
        ok = sum(1 for d, right in nearest if d <= limit and right)
        wrong = sum(1 for d, right in nearest if d <= limit and not right)
        marker = "  <- FACE_AUTO_DISTANCE" if limit == auto else ""
        marker = "  <- FACE_REVIEW_DISTANCE" if limit == review else marker
        print(f"  within {limit:.2f}: {ok} right, {wrong} wrong person{marker}")
    if baseline:
        print(
            f"\nSummary: purity {baseline[0]:.3f}, pair precision {baseline[1]:.3f}, pair recall "
            f"{baseline[2]:.3f}; {n_faces / full_seconds:.1f} faces/s, "
            f"{full_seconds / n_images * 1000:.0f} ms/image; face models +{total:.0f} MB RSS"
        )


if __name__ == "__main__":
    main()
