"""Smart crops against centre crops on the demo and eval photos with faces.

The faces come from the HOG face detector the pipeline runs (same minimum score), so the
photos are those in which analysis finds faces. For each named aspect ratio printed:

- cut: the share of crops that cut a face in half (a face box partly inside the crop), for the
  smart crop (focal region from the faces, then `crop_window`) and for the centre crop;
- all kept: the share of crops that keep every face whole;
- saliency: on the same photos, the focal region found from saliency alone (faces hidden from
  it): how often it holds the largest face's centre, for the spectral-residual and the
  edge/contrast maps, against a centred box of the same area; and milliseconds per photo.

Usage: python benchmarks/crops.py [--limit N]   (no database needed)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "photos"
sys.path.insert(0, str(ROOT))

RATIOS = ["16:9", "4:3", "1:1", "4:5", "9:16"]


def photos() -> list[Path]:
    found = sorted((SHARED / "demo").glob("*.jpg")) + sorted((SHARED / "eval" / "images").glob("*"))
    return [p for p in found if p.suffix.lower() in {".jpg", ".jpeg", ".png"}]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()

    from PIL import Image, ImageOps

    from photodesk.analysis.analyzers.faces import MIN_SCORE
    from photodesk.crops.focal import FaceIn, face_weights, focal_region
    from photodesk.crops.geometry import Box, centre_crop, crop_window, parse_ratio
    from photodesk.crops.saliency import saliency_map
    from photodesk.inference.faces import FaceDetector

    detector = FaceDetector(Path("/nonexistent"), 1, kind="hog")
    paths = photos()[: args.limit or None]
    cut = {r: {"smart": 0, "centre": 0} for r in RATIOS}
    kept_all = {r: {"smart": 0, "centre": 0} for r in RATIOS}
    hits = {"spectral": 0, "edges": 0, "spectral-centre": 0, "edges-centre": 0}
    areas = {"spectral": 0.0, "edges": 0.0}
    seconds = {"spectral": 0.0, "edges": 0.0, "crop": 0.0}
    with_faces = faces_total = 0
    start = time.perf_counter()
    for path in paths:
        img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        found = [f for f in detector.predict(img) if f["score"] >= MIN_SCORE]
        if not found:
            continue
        with_faces += 1
        faces_total += len(found)
        width, height = img.size
        boxes = [Box.of(f["box"]) for f in found]
        people = [FaceIn(b) for b in boxes]
        focal = focal_region(width, height, people).box
        weights = face_weights(people)
        for name in RATIOS:
            ratio = float(parse_ratio(name))
            t = time.perf_counter()
            smart = crop_window(width, height, ratio, focal, boxes, weights)
            seconds["crop"] += time.perf_counter() - t
            centre = centre_crop(width, height, ratio)
            for kind, window in (("smart", smart), ("centre", centre)):
                cut[name][kind] += any(window.cuts(b) for b in boxes)
                kept_all[name][kind] += all(window.contains(b) for b in boxes)
        largest = max(boxes, key=lambda b: b.area)
        fx, fy = largest.centre
        for method in ("spectral", "edges"):
            t = time.perf_counter()
            region = focal_region(width, height, saliency=saliency_map(img, method)).box
            seconds[method] += time.perf_counter() - t
            hits[method] += region.x <= fx <= region.x2 and region.y <= fy <= region.y2
            areas[method] += region.area / (width * height)
            # A centred box of the same area: the baseline a saliency map must beat.
            side = (region.area / (width * height)) ** 0.5
            cx1, cy1 = width * (1 - side) / 2, height * (1 - side) / 2
            hits[f"{method}-centre"] += cx1 <= fx <= width - cx1 and cy1 <= fy <= height - cy1

    n = with_faces
    print(
        f"{len(paths)} photos, {n} with faces ({faces_total} faces), "
        f"{time.perf_counter() - start:.0f} s"
    )
    print(
        f"{'ratio':>6}  {'cut: smart':>10}  {'centre':>7}  {'all kept: smart':>15}  {'centre':>7}"
    )
    for name in RATIOS:
        print(
            f"{name:>6}  {cut[name]['smart'] / n:>10.1%}  {cut[name]['centre'] / n:>7.1%}  "
            f"{kept_all[name]['smart'] / n:>15.1%}  {kept_all[name]['centre'] / n:>7.1%}"
        )
    total_smart = sum(c["smart"] for c in cut.values()) / (n * len(RATIOS))
    total_centre = sum(c["centre"] for c in cut.values()) / (n * len(RATIOS))
    print(f"{'all':>6}  {total_smart:>10.1%}  {total_centre:>7.1%}")
    print(f"crop_window: {seconds['crop'] / (n * len(RATIOS)) * 1000:.2f} ms per crop")
    print("saliency alone (faces hidden): focal region holds the largest face's centre")
    for method in ("spectral", "edges"):
        print(
            f"  {method:>8}: {hits[method] / n:.1%}, a centred box of the same area "
            f"{hits[method + '-centre'] / n:.1%} (region {areas[method] / n:.0%} of the photo, "
            f"{seconds[method] / n * 1000:.1f} ms/photo)"
        )


if __name__ == "__main__":
    main()
