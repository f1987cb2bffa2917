"""Face detectors side by side on real photos: dlib's HOG (the default) against BlazeFace.

For each demo and eval photo, the face analysis as the pipeline runs it (`detect_faces`, no
embeddings) with FACE_DETECTOR "hog", then "blazeface". Printed per set: the faces each finds,
those both find (IoU > 0.3), the usable ones (size and sharpness, as recognition needs) that
only one finds, and each detector's time alone (one thread, the photo's working copy). Whether
a face only one detector finds is a face is for a person to see: `--sheet DIR` writes each
detector's usable faces that the other missed as a contact sheet (PNG, 96-px crops).

Usage: python benchmarks/face_detectors.py [--sheet DIR]
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
DETECTORS = ("hog", "blazeface")
CELL = 96


def contact_sheet(crops: list, path: Path, columns: int = 12) -> None:
    from PIL import Image

    rows = max(1, -(-len(crops) // columns))
    sheet = Image.new("RGB", (CELL * columns, CELL * rows), "white")
    for i, crop in enumerate(crops):
        sheet.paste(crop.resize((CELL, CELL)), (CELL * (i % columns), CELL * (i // columns)))
    sheet.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sheet", type=Path, help="Write contact sheets of unmatched faces here.")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings

    from photodesk.analysis.analyzers import faces as face_analyzer
    from photodesk.analysis.decode import decode
    from photodesk.inference.faces import crop_box
    from photodesk.inference.mediapipe_files import fetch
    from photodesk.people.recognition import box_iou

    fetch(Path(settings.PHOTODESK["EYES_MODEL_DIR"]))

    def analyse(photo, kind: str) -> tuple[list[dict], float]:
        settings.PHOTODESK = {**settings.PHOTODESK, "FACE_DETECTOR": kind}
        detector = face_analyzer.detector()
        detector.ensure_loaded()
        start = time.process_time()
        detector.predict(photo.working)
        seconds = time.process_time() - start
        return face_analyzer.detect_faces(photo, with_embeddings=False), seconds

    for name, folder in SETS.items():
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        found = dict.fromkeys(DETECTORS, 0)
        usable_alone = dict.fromkeys(DETECTORS, 0)
        seconds = dict.fromkeys(DETECTORS, 0.0)
        crops: dict[str, list] = {kind: [] for kind in DETECTORS}
        both = 0
        for path in paths:
            photo = decode(path.read_bytes(), path.name)
            faces = {}
            for kind in DETECTORS:
                faces[kind], spent = analyse(photo, kind)
                seconds[kind] += spent
                found[kind] += len(faces[kind])
            hog, blaze = faces["hog"], faces["blazeface"]
            both += sum(any(box_iou(h["box"], b["box"]) > 0.3 for b in blaze) for h in hog)
            for kind, other in (("hog", blaze), ("blazeface", hog)):
                for face in faces[kind]:
                    if face["usable"] and not any(
                        box_iou(face["box"], o["box"]) > 0.3 for o in other
                    ):
                        usable_alone[kind] += 1
                        crops[kind].append(crop_box(photo.pixels, face["box"], 0.3))
        print(f"{name}: {len(paths)} photos")
        print(f"  {'detector':<10} {'faces':>6} {'ms/photo':>9} {'usable, only this one':>22}")
        for kind in DETECTORS:
            ms = seconds[kind] / len(paths) * 1000
            print(f"  {kind:<10} {found[kind]:>6} {ms:>9.1f} {usable_alone[kind]:>22}")
        print(f"  found by both: {both} (of HOG's {found['hog']})")
        if args.sheet:
            args.sheet.mkdir(parents=True, exist_ok=True)
            for kind in DETECTORS:
                if crops[kind]:
                    contact_sheet(crops[kind], args.sheet / f"{name}-only-{kind}.png")
            print(f"  contact sheets in {args.sheet}")


if __name__ == "__main__":
    main()
