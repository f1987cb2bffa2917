"""manage.py ingest DIR: add every image under DIR, skipping files already in the archive."""

from __future__ import annotations

import hashlib
import logging
from contextlib import nullcontext
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from photodesk.conf import IMAGE_EXTENSIONS
from photodesk.host import get_image_model, host
from photodesk.models import ImageAnalysis
from photodesk.tasks import analysis_inline


def find_images(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS and not p.name.startswith(".")
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "Add every image under DIR (recursive; JPEG, PNG, WebP, TIFF, HEIC) to the archive, "
        "skipping files whose content is already there. Analysis is queued for the worker, "
        "or run inline with --sync."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--sync", action="store_true", help="Analyse each image now, without a worker."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, directory: Path, sync: bool, no_progress: bool, **options) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        paths = find_images(directory)
        if not paths:
            self.stdout.write(f"No images found under {directory}.")
            return
        model = get_image_model()
        has_hash = "content_hash" in {f.name for f in model._meta.get_fields()}
        # django-q logs every enqueue at INFO; the progress bar says the same, once.
        logging.getLogger("django-q").setLevel(logging.WARNING)
        added = skipped = failed = 0
        bar = tqdm(paths, unit="img", disable=no_progress, desc="Ingesting")
        for path in bar:
            digest = sha256_of(path)
            known = (
                model.objects.filter(content_hash=digest).exists()
                if has_hash
                else ImageAnalysis.objects.filter(content_hash=digest).exists()
            )
            if known:
                skipped += 1
                continue
            with (
                analysis_inline() if sync else nullcontext(),
                path.open("rb") as fh,
                transaction.atomic(),
            ):
                image = host().new_image(path.name, File(fh))
                image.save()
            added += 1
            if sync:
                status = (
                    ImageAnalysis.objects.filter(image=image)
                    .values_list("status", flat=True)
                    .first()
                )
                if status == ImageAnalysis.Status.FAILED:
                    failed += 1
            bar.set_postfix(added=added, skipped=skipped)
        queued = "" if sync else " (analysis queued: run `manage.py qcluster`)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {added}, skipped {skipped} already present, {failed} failed{queued}."
            )
        )
