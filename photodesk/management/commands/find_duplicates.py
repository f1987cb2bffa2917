"""manage.py find_duplicates: look for copies among the images already analysed (new images
are checked as they arrive) and group them for review in the admin."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from photodesk.duplicates.grouping import record_duplicates
from photodesk.host import get_image_model
from photodesk.models import DuplicateGroup, ImageAnalysis


class Command(BaseCommand):
    help = (
        "Find near-duplicate images (resized, re-encoded, lightly cropped or marked copies) "
        "among the analysed images and group them for review (admin: Duplicates)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, no_progress: bool, **options) -> None:
        ids = list(
            ImageAnalysis.objects.done().order_by("image_id").values_list("image_id", flat=True)
        )
        model = get_image_model()
        before = DuplicateGroup.objects.open().count()
        grouped = 0
        bar = tqdm(ids, unit="img", disable=no_progress, desc="Looking for duplicates")
        for pk in bar:
            image = model.objects.filter(pk=pk).first()
            if image is not None and record_duplicates(image) is not None:
                grouped += 1
                bar.set_postfix(with_copies=grouped)
        after = DuplicateGroup.objects.open().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {len(ids)} images: {grouped} have copies; {after} open duplicate "
                f"groups ({after - before:+d})."
            )
        )
