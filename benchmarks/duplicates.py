"""Near-duplicate detection: precision and recall on copies made from the eval photos.

Each eval photo gets four copies, written to a temporary folder (never into the repo):
  resize   half the width and height
  jpeg40   re-encoded at JPEG quality 40
  crop10   10 % of the width and of the height cut off (6 % left / 4 % right, 4 % top / 6 %
           bottom: off-centre, as a picture editor crops)
  text     a caption band with a credit line over the bottom of the picture
The copies are mixed with all the distinct eval photos. Every pair the detector calls a
duplicate is counted: a pair of a photo and its own copy is right, any other pair is a false
group. Per kind: recall (copies found with their original) and precision (of the pairs that
involve a copy of that kind, the share that are right); then the pairs found among the
distinct photos alone.

Run: .venv/bin/python benchmarks/duplicates.py [--limit N] [--features FILE.npz]
(the features file keeps the vectors and hashes of a run, to try thresholds quickly).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHARED, django_setup  # noqa: E402

EVAL = SHARED / "photos" / "eval" / "images"
KINDS = ("resize", "jpeg40", "crop10", "text")


def make_copy(img: Image.Image, kind: str) -> bytes:
    """The encoded bytes of one kind of copy of `img`."""
    w, h = img.size
    quality = 90
    if kind == "resize":
        img = img.resize((w // 2, h // 2), Image.Resampling.LANCZOS)
    elif kind == "jpeg40":
        quality = 40
    elif kind == "crop10":
        img = img.crop((round(0.06 * w), round(0.04 * h), round(0.96 * w), round(0.94 * h)))
    elif kind == "text":
        img = img.copy()
        draw = ImageDraw.Draw(img, "RGBA")
        band = h // 8
        draw.rectangle((0, h - band, w, h), fill=(0, 0, 0, 150))
        font = ImageFont.load_default(size=max(10, band // 2))
        draw.text(
            (band // 3, h - band + band // 5), "© NEWS AGENCY / EXCLUSIVE", fill="white", font=font
        )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def features(paths: list[Path], tmp: Path) -> dict:
    """Hash and visual vector of every eval photo and of each of its copies."""
    from photodesk.analysis.decode import decode
    from photodesk.duplicates.detection import visual_vector
    from photodesk.duplicates.fingerprint import phash_of_bytes

    names, kinds, origin, hashes, vectors = [], [], [], [], []
    started = time.perf_counter()
    for n, path in enumerate(paths):
        data = path.read_bytes()
        original = decode(data, path.name).pixels
        variants = [("original", data)]
        for kind in KINDS:
            copy = make_copy(original, kind)
            (tmp / f"{path.stem}.{kind}.jpg").write_bytes(copy)
            variants.append((kind, copy))
        for kind, blob in variants:
            names.append(path.name)
            kinds.append(kind)
            origin.append(n)
            hashes.append(phash_of_bytes(blob))
            vectors.append(visual_vector(decode(blob, path.name).pixels))
        if (n + 1) % 20 == 0:
            print(
                f"  {n + 1}/{len(paths)} photos, {time.perf_counter() - started:.0f} s", flush=True
            )
    return {
        "names": np.array(names),
        "kinds": np.array(kinds),
        "origin": np.array(origin),
        "hashes": np.array(hashes, np.int64),
        "vectors": np.stack(vectors).astype(np.float32),
    }


def pair_matrices(data: dict) -> tuple[np.ndarray, np.ndarray]:
    from photodesk.duplicates.fingerprint import hammings

    v = data["vectors"] / np.linalg.norm(data["vectors"], axis=1, keepdims=True)
    sims = v @ v.T
    dist = np.stack([hammings(int(h), data["hashes"]) for h in data["hashes"]])
    return sims, dist


def report(data: dict) -> None:
    from photodesk.duplicates.detection import same_picture

    sims, dist = pair_matrices(data)
    kinds, origin = data["kinds"], data["origin"]
    found = same_picture(sims, dist)
    np.fill_diagonal(found, False)
    same_origin = origin[:, None] == origin[None, :]
    is_orig = kinds == "original"
    print(f"{'copy kind':10} {'recall':>8} {'precision':>10} {'found':>6} {'wrong':>6}")
    for kind in KINDS:
        rows = np.flatnonzero(kinds == kind)
        # Each copy against the originals and the other copies' kinds left out: the question
        # is whether the copy is matched to its own original and to nothing else.
        keep = is_orig
        hits = found[np.ix_(rows, np.flatnonzero(keep))]
        right = same_origin[np.ix_(rows, np.flatnonzero(keep))]
        tp = int((hits & right).sum())
        fp = int((hits & ~right).sum())
        recall = tp / len(rows)
        precision = tp / (tp + fp) if tp + fp else 1.0
        print(f"{kind:10} {recall:8.3f} {precision:10.3f} {tp:6d} {fp:6d}")
    originals = np.flatnonzero(is_orig)
    among = found[np.ix_(originals, originals)]
    false_pairs = int(np.triu(among, 1).sum())
    grouped = int(among.any(axis=1).sum())
    print(
        f"distinct photos: {len(originals)}, false pairs among them: {false_pairs}, "
        f"photos put in a false group: {grouped}"
    )
    # Everything mixed: every pair among originals and copies, right when both come from one
    # photo (an original and its copy, or two copies of one photo).
    upper = np.triu(np.ones_like(found), 1)
    tp = int((found & same_origin & upper).sum())
    fp = int((found & ~same_origin & upper).sum())
    true_pairs = int((same_origin & upper).sum())
    print(
        f"all {len(kinds)} images mixed: pair recall {tp / true_pairs:.3f}, pair precision "
        f"{tp / max(tp + fp, 1):.3f} ({tp} of {true_pairs} pairs, {fp} wrong)"
    )
    # How near the closest distinct pair comes to being called the same picture.
    from photodesk.duplicates import detection as d

    apart = ~same_origin & upper.astype(bool)
    for name, cos_min, bits_max in (
        ("few bits", d.HASH_SURE_MIN_COSINE, d.HASH_SURE_BITS),
        ("close", d.CLOSE_COSINE, d.CLOSE_BITS),
        ("sure", d.SURE_COSINE, d.SURE_BITS),
    ):
        near = apart & (dist <= bits_max)
        best = float(sims[near].max()) if near.any() else float("nan")
        print(
            f"  rule {name:8} (cosine >= {cos_min}, bits <= {bits_max}): different photos "
            f"within the bits reach cosine {best:.3f}"
        )
    # The margins the thresholds sit in.
    copies = ~is_orig
    mine = [
        sims[i, np.flatnonzero(is_orig & (origin == origin[i]))[0]] for i in np.flatnonzero(copies)
    ]
    mine_d = [
        dist[i, np.flatnonzero(is_orig & (origin == origin[i]))[0]] for i in np.flatnonzero(copies)
    ]
    others = sims[np.ix_(originals, originals)][np.triu_indices(len(originals), 1)]
    others_d = dist[np.ix_(originals, originals)][np.triu_indices(len(originals), 1)]
    for kind in KINDS:
        sel = kinds[copies] == kind
        s, d = np.array(mine)[sel], np.array(mine_d)[sel]
        print(
            f"  {kind:8} cosine to original: min {s.min():.3f} p5 {np.percentile(s, 5):.3f}  "
            f"hash bits: median {np.median(d):.0f} p95 {np.percentile(d, 95):.0f} max {d.max()}"
        )
    print(
        f"  distinct pairs: cosine max {others.max():.3f} "
        f"p99.99 {np.percentile(others, 99.99):.3f}; "
        f"hash bits min {others_d.min()} p0.01 {np.percentile(others_d, 0.01):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="Only the first N eval photos.")
    parser.add_argument("--features", help="Read (or write) the computed features here.")
    args = parser.parse_args()
    django_setup()
    cache = Path(args.features) if args.features else None
    if cache and cache.exists():
        data = dict(np.load(cache))
    else:
        paths = sorted(EVAL.glob("*.jpg"))
        if args.limit:
            paths = paths[: args.limit]
        print(f"{len(paths)} eval photos x (original + {len(KINDS)} copies)")
        with tempfile.TemporaryDirectory(prefix="photodesk-dupes-") as tmp:
            data = features(paths, Path(tmp))
        if cache:
            np.savez(cache, **data)
    report(data)


if __name__ == "__main__":
    main()
