"""Tag precision and recall against the MS-COCO object labels of ../shared/photos/eval.

COCO categories are mapped onto our taxonomy by name (below); only predictions within that
mapped vocabulary are judged (COCO cannot say whether "animals" or "sport" is right).
Reported at the default thresholds for auto-accepted tags, and for auto + needs-review.

Usage: python benchmarks/labels.py   (shares the benchmark database with quality.py)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHARED, django_setup  # noqa: E402

EVAL = SHARED / "photos" / "eval"

COCO_TO_LABEL = {
    "person": "people", "bicycle": "bicycle", "car": "car", "motorcycle": "motorcycle",
    "airplane": "aircraft", "bus": "bus", "train": "train", "truck": "truck", "boat": "boat",
    "traffic light": "traffic light", "stop sign": "road sign", "bench": "chair",
    "bird": "bird", "cat": "cat", "dog": "dog", "horse": "horse", "sheep": "sheep",
    "cow": "cow", "elephant": "elephant", "bear": "bear", "zebra": "zebra",
    "giraffe": "giraffe", "backpack": "bag", "handbag": "bag", "umbrella": "umbrella",
    "frisbee": "frisbee", "skis": "skiing", "snowboard": "snowboarding", "kite": "kite",
    "baseball bat": "baseball", "baseball glove": "baseball", "skateboard": "skateboarding",
    "surfboard": "surfing", "tennis racket": "tennis", "bottle": "bottle", "wine glass": "wine",
    "cup": "tableware", "bowl": "tableware", "banana": "banana", "apple": "apple",
    "sandwich": "sandwich", "hot dog": "sandwich", "orange": "orange", "broccoli": "broccoli",
    "pizza": "pizza", "cake": "dessert", "donut": "dessert", "chair": "chair",
    "couch": "living room", "bed": "bedroom", "dining table": "table", "toilet": "bathroom",
    "tv": "screen", "laptop": "computer", "cell phone": "phone", "book": "book",
    "clock": "clock", "teddy bear": "toy", "refrigerator": "kitchen", "oven": "kitchen",
    "microwave": "kitchen", "toaster": "kitchen", "sink": "kitchen",
}  # fmt: skip


def main() -> None:
    django_setup()
    from django.core.management import call_command

    from photodesk.conf import photodesk_settings
    from photodesk.models import ImageLabel

    call_command("ingest", str(EVAL / "images"), sync=True, no_progress=True)
    call_command("analyze", sync=True, no_progress=True)
    vocabulary = set(COCO_TO_LABEL.values())
    items = [json.loads(line) for line in (EVAL / "captions.jsonl").open()]
    items = [i for i in items if i.get("labels_available")]
    from cms_images.models import Image

    by_file = {img.original_filename: img.pk for img in Image.objects.all()}
    print(
        f"{len(items)} COCO photos; thresholds accept "
        f"{photodesk_settings.LABEL_ACCEPT_THRESHOLD}, review "
        f"{photodesk_settings.LABEL_REVIEW_THRESHOLD}"
    )
    for name, states in (
        ("auto-accepted", [ImageLabel.State.AUTO]),
        ("auto + review", [ImageLabel.State.AUTO, ImageLabel.State.REVIEW]),
    ):
        correct = predicted = truth_total = 0
        for item in items:
            truth = {COCO_TO_LABEL[c] for c in item["labels"] if c in COCO_TO_LABEL}
            tags = (
                set(
                    ImageLabel.objects.filter(
                        image_id=by_file[item["file"]], state__in=states
                    ).values_list("label__name", flat=True)
                )
                & vocabulary
            )
            correct += len(tags & truth)
            predicted += len(tags)
            truth_total += len(truth)
        precision = correct / predicted if predicted else 0.0
        print(
            f"{name:<14} precision {precision:.3f} ({correct}/{predicted})  "
            f"recall {correct / truth_total:.3f} ({correct}/{truth_total})"
        )


if __name__ == "__main__":
    main()
