"""manage.py cluster_faces: group every unnamed face again, from scratch."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from photodesk.conf import photodesk_settings
from photodesk.people.clustering import candidates, recluster_all


class Command(BaseCommand):
    help = (
        "Re-cluster all unnamed, usable faces (the background task only places new faces). "
        "Faces a person named, rejected or removed from a cluster are left as they are."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, no_progress: bool, **options) -> None:
        if not photodesk_settings.FACE_RECOGNITION:
            raise CommandError("Face recognition is switched off (PHOTODESK FACE_RECOGNITION).")
        total = candidates().count()
        with tqdm(total=total, unit="face", disable=no_progress, desc="Clustering") as bar:
            result = recluster_all(progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(f"{result['faces']} face(s) in {result['clusters']} cluster(s).")
        )
