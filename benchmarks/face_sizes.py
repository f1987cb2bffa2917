"""Face detector input size: the faces dlib's HOG finds at smaller inputs, and its time.

For each photo of the demo and eval sets, the faces found by the current setting (long side at
most 1024, upsampled once) are the reference; each other setting reports how many of them it
still finds (IoU > 0.3) and its time, on the photo as the pipeline's working copy has it and,
with --at 1024, brought to 1024 px long (the working copy of a camera original).

Usage: python benchmarks/face_sizes.py [--at 1024] [--sizes 1024:1,1024:0,768:1,640:1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHARED, django_setup  # noqa: E402

SETS = {"demo": SHARED / "photos" / "demo", "eval": SHARED / "photos" / "eval" / "images"}
SUFFIXES = {".jpg", ".jpeg", ".png"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", type=int, default=0, help="Bring each photo to this long side.")
    parser.add_argument("--sizes", default="1024:1,1024:0,768:1,640:1")
    args = parser.parse_args()
    django_setup()
    import dlib
    import numpy as np
    from PIL import Image

    from photodesk.analysis.analyzers.faces import MIN_SCORE
    from photodesk.analysis.decode import decode
    from photodesk.inference.faces import _scaled
    from photodesk.people.recognition import box_iou

    detector = dlib.get_frontal_face_detector()

    def faces(img, side: int, upsample: int):
        small, scale = _scaled(img, side)
        start = time.perf_counter()
        rects, scores, _ = detector.run(np.asarray(small), upsample, 0.0)
        seconds = time.perf_counter() - start
        boxes = [  # [x, y, w, h] in the photo's pixels
            [v / scale for v in (r.left(), r.top(), r.right() - r.left(), r.bottom() - r.top())]
            for r, s in zip(rects, scores, strict=True)
            if s / 2 >= MIN_SCORE
        ]
        return boxes, seconds

    settings = [tuple(int(v) for v in s.split(":")) for s in args.sizes.split(",")]
    for name, folder in SETS.items():
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        seconds = dict.fromkeys(settings, 0.0)
        kept = dict.fromkeys(settings, 0)
        found = empty = 0
        for path in paths:
            img = decode(path.read_bytes(), path.name).working
            if args.at:
                scale = args.at / max(img.size)
                size = (round(img.width * scale), round(img.height * scale))
                img = img.resize(size, Image.Resampling.LANCZOS)
            reference, _ = faces(img, 1024, 1)
            found += len(reference)
            empty += not reference
            for setting in settings:
                boxes, spent = faces(img, *setting)
                seconds[setting] += spent
                kept[setting] += sum(any(box_iou(r, b) > 0.3 for b in boxes) for r in reference)
        print(f"{name}: {len(paths)} photos, no face on {empty}, {found} faces (1024 px, x2)")
        for setting in settings:
            print(
                f"  long side {setting[0]:5d}, upsampled {setting[1]}x: "
                f"{seconds[setting] / len(paths) * 1000:7.1f} ms/photo, "
                f"finds {kept[setting]}/{found}"
            )


if __name__ == "__main__":
    main()
