"""Eye openness (inference/eyes.py): how well the eye aspect ratio tells open eyes from closed.

Faces: every face of 60 px or more that dlib's HOG detector finds in ../shared/photos (demo and
eval), labelled by hand below (open, closed; faces in sunglasses, turned away, squinting past
calling, or not faces are left out). Real closed eyes are rare in these photos, so each open
face also gets a synthetic closed copy (tests/burst_frames.close_eyes: the eye outlines from
the mesh filled with the cheek's skin colour and crossed by a lid line).

Printed: the EAR of each class, the accuracy of the best single threshold (and of the
threshold in photodesk.series.scoring), and, for each open face and its closed copy, how often
the closed copy reads lower by the margin the series scoring relies on (the within-series
comparison the best-frame pick makes).

Usage: python benchmarks/eyes.py --model-dir DIR   (DIR/face_landmark/face_landmark.tflite)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from photodesk.inference.eyes import EyeOpenness  # noqa: E402
from tests.burst_frames import close_eyes  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "photos"

# (file, face box as HOG finds it) → label, looked at one by one.
LABELS: dict[tuple[str, tuple[int, ...]], str] = {
    ("eval/images/coco_val2017_000000011051.jpg", (187, 68, 107, 107)): "open",
    ("eval/images/coco_val2017_000000011051.jpg", (485, 140, 108, 107)): "open",
    ("eval/images/coco_val2017_000000016598.jpg", (182, 96, 129, 129)): "open",
    ("eval/images/coco_val2017_000000018150.jpg", (127, 56, 108, 107)): "open",
    # laughing, lids shut to slits
    ("eval/images/coco_val2017_000000019924.jpg", (159, 77, 186, 186)): "closed",
    ("eval/images/coco_val2017_000000491464.jpg", (280, 163, 62, 62)): "open",
    ("eval/images/flickr8k_1301140633_046e4e8010.jpg", (45, 73, 62, 62)): "open",
    ("eval/images/flickr8k_1539166395_0cdc0accee.jpg", (38, 53, 62, 62)): "open",
    ("eval/images/flickr8k_1884727806_d84f209868.jpg", (80, 129, 62, 62)): "open",
    ("eval/images/flickr8k_195084264_72fb347b0f.jpg", (87, 94, 62, 62)): "open",
    ("eval/images/flickr8k_1977827746_4e13d7e19f.jpg", (255, 206, 89, 89)): "open",
    ("eval/images/flickr8k_1977827746_4e13d7e19f.jpg", (76, 116, 89, 90)): "open",
    ("eval/images/flickr8k_1989145280_3b54452188.jpg", (77, 180, 185, 186)): "open",
    ("eval/images/flickr8k_2038662925_f4fa8c2534.jpg", (163, 59, 62, 63)): "open",
    ("eval/images/flickr8k_2049051050_20359a434a.jpg", (146, 72, 74, 74)): "open",
    ("eval/images/flickr8k_2083778090_3aecaa11cc.jpg", (116, 176, 89, 89)): "open",
    ("eval/images/flickr8k_2084217208_7bd9bc85e5.jpg", (259, 142, 63, 63)): "open",
    ("eval/images/flickr8k_2085557551_7a88d01d4e.jpg", (196, 96, 74, 75)): "open",
    ("eval/images/flickr8k_2090386465_b6ebb7df2c.jpg", (223, 163, 107, 108)): "open",
    ("eval/images/flickr8k_2091171488_c8512fec76.jpg", (142, 53, 62, 62)): "open",
    ("demo/people_astronaut_eileen_collins.jpg", (175, 76, 90, 90)): "open",
}


def best_threshold(open_: list[float], closed: list[float]) -> tuple[float, float]:
    values = sorted(set(open_ + closed))
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)] or values
    n = len(open_) + len(closed)
    scored = [((sum(v >= t for v in open_) + sum(v < t for v in closed)) / n, t) for t in cuts]
    return max(scored)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", type=Path, required=True)
    args = parser.parse_args()
    from photodesk.series.scoring import EYES_OPEN_EAR, EYES_SERIES_MARGIN

    eyes = EyeOpenness(args.model_dir)
    real: dict[str, list[float]] = {"open": [], "closed": []}
    synthetic: list[float] = []
    drops: list[float] = []
    for (file, box), label in LABELS.items():
        img = ImageOps.exif_transpose(Image.open(PHOTOS / file)).convert("RGB")
        ear = eyes.predict(img, list(box)).openness
        real[label].append(ear)
        if label == "open":
            shut = close_eyes(img, eyes.points_in_image(img, list(box)))
            closed_ear = eyes.predict(shut, list(box)).openness
            synthetic.append(closed_ear)
            drops.append(closed_ear / ear)
    open_, closed = real["open"], real["closed"] + synthetic
    acc, cut = best_threshold(open_, closed)
    fixed = (sum(v >= EYES_OPEN_EAR for v in open_) + sum(v < EYES_OPEN_EAR for v in closed)) / (
        len(open_) + len(closed)
    )
    print(
        f"faces: {len(open_)} open, {len(real['closed'])} closed (real) + "
        f"{len(synthetic)} closed (synthetic)"
    )
    for name, values in (
        ("open", open_),
        ("closed real", real["closed"]),
        ("closed synthetic", synthetic),
    ):
        print(
            f"  EAR {name:17s} mean {np.mean(values):.3f}  "
            f"min {min(values):.3f}  max {max(values):.3f}"
        )
    print(f"best single threshold {cut:.3f}: accuracy {acc:.1%}")
    print(f"threshold EYES_OPEN_EAR={EYES_OPEN_EAR}: accuracy {fixed:.1%}")
    lower = sum(d <= 1 - EYES_SERIES_MARGIN for d in drops) / len(drops)
    print(
        f"within a series (same face open vs closed): closed reads lower by >= "
        f"{EYES_SERIES_MARGIN:.0%} in {lower:.1%} of {len(drops)} pairs "
        f"(median ratio {np.median(drops):.2f})"
    )


if __name__ == "__main__":
    main()
