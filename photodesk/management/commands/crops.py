"""manage.py crops: find the focal region of images that have none (analysed before smart
crops existed), or again for every image with --all; regions a person set are kept."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from photodesk.crops import store
from photodesk.crops.renditions import RenditionError
from photodesk.host import get_image_model
from photodesk.models import FocalRegion


class Command(BaseCommand):
    help = (
        "Find the focal region (smart crops) of images that have none, from their stored faces "
        "and text and a small saliency map; --all finds every automatic one again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Only these image ids.")
        parser.add_argument(
            "--all", action="store_true", help="Also images that have one (not a person's)."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, ids, all, no_progress, **options) -> None:
        images = get_image_model().objects.order_by("pk")
        if ids:
            images = images.filter(pk__in=ids)
            if missing := sorted(set(ids) - set(images.values_list("pk", flat=True))):
                raise CommandError(f"No image with id {', '.join(map(str, missing))}.")
        if not all:
            images = images.exclude(pk__in=FocalRegion.objects.values("image_id"))
        found = unreadable = 0
        for image in tqdm(images.iterator(), total=images.count(), disable=no_progress):
            try:
                store.refresh(image)
            except RenditionError as exc:
                unreadable += 1
                self.stderr.write(f"Image {image.pk}: {exc}")
                continue
            found += 1
        self.stdout.write(f"Focal regions found for {found} image(s).")
        if unreadable:
            self.stdout.write(f"{unreadable} image(s) could not be read.")
