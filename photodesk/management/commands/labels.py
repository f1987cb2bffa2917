"""manage.py labels: keyword queries over tags (accepted and auto-accepted only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from photodesk.host import get_image_model, image_file_name
from photodesk.labels.service import images_with_label, labels_of
from photodesk.management.commands._output import rows_output
from photodesk.models import ImageLabel, Label


class Command(BaseCommand):
    help = (
        "Tags: the images with a label (optionally at a minimum confidence), the labels of an "
        "image, or how many images each label is on."
    )

    def add_arguments(self, parser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--with", dest="label", help="Images tagged with this label or synonym.")
        what.add_argument("--image", type=int, help="The tags of this image.")
        what.add_argument("--counts", action="store_true", help="Images per label.")
        parser.add_argument("--min-confidence", type=float, help="0–100, with --with.")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, label, image, counts, min_confidence, json: bool, **options):
        if label is not None:
            if not Label.objects.named(label).exists():
                raise CommandError(f"No label called “{label}” (by name or synonym).")
            rows = [
                {"id": img.pk, "original_filename": image_file_name(img)}
                for img in images_with_label(label, min_confidence).order_by("pk")
            ]
            self._print(rows, json, lambda r: f"{r['id']:>6}  {r['original_filename']}")
        elif image is not None:
            obj = get_image_model().objects.filter(pk=image).first()
            if obj is None:
                raise CommandError(f"No image with id {image}.")
            rows = [
                {
                    "label": row.label.name,
                    "confidence": row.confidence,
                    "state": row.state,
                    "source": row.source,
                }
                for row in labels_of(obj)
            ]
            self._print(
                rows,
                json,
                lambda r: (
                    f"{r['confidence']:>5.1f}  {r['label']:<24} {r['state']:<9} {r['source']}"
                ),
            )
        else:
            rows = [
                {"label": r["label__name"], "images": r["images"]}
                for r in ImageLabel.objects.counts()
            ]
            self._print(rows, json, lambda r: f"{r['images']:>6}  {r['label']}")

    def _print(self, rows, as_json: bool, line) -> None:
        self.stdout.write(rows_output(rows, as_json, line))
