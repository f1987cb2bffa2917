"""manage.py ingest DIR: add every image under DIR, skipping files already in the archive; on
a site with videos (VIDEO_MODEL and the `video` extra), the videos too, found by content."""

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
from photodesk.extras import installed
from photodesk.host import get_image_model, get_video_model, host
from photodesk.models import ImageAnalysis, VideoAnalysis
from photodesk.tasks import analysis_inline


def find_videos(root: Path) -> list[Path]:
    """Files under `root` that are videos by their content (MP4, MOV, WebM, MKV), whatever
    their names say; none unless the site has videos and the `video` extra."""
    if get_video_model() is None or not installed("video"):
        return []
    from photodesk.analysis.video.decode import is_video

    found = []
    for path in sorted(root.rglob("*")):
        if (
            not path.is_file()
            or path.name.startswith(".")
            or path.suffix.lower() in IMAGE_EXTENSIONS
        ):
            continue
        with path.open("rb") as fh:
            if is_video(fh):
                found.append(path)
    return found


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
        videos = find_videos(directory)
        if videos:
            self.ingest_videos(videos, sync)
        if not paths:
            if not videos:
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

    def ingest_videos(self, paths: list[Path], sync: bool) -> None:
        added = skipped = failed = 0
        known = set(VideoAnalysis.objects.values_list("content_hash", flat=True))
        for path in paths:
            if sha256_of(path) in known:
                skipped += 1
                continue
            with (
                analysis_inline() if sync else nullcontext(),
                path.open("rb") as fh,
                transaction.atomic(),
            ):
                video = host().new_video(path.name, File(fh))
                video.save()
            added += 1
            analysis = VideoAnalysis.objects.filter(video_id=video.pk).first()
            if sync and analysis is not None and analysis.status == VideoAnalysis.Status.FAILED:
                failed += 1
                self.stderr.write(f"{path.name}: {analysis.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Videos: added {added}, skipped {skipped} already present, {failed} failed."
            )
        )
