"""Count the insights rollups (images per label and day added, images per day) again from
the archive's rows: after rows were written around the ORM (bulk loads, raw SQL), after the
site's TIME_ZONE changed, or once after upgrading an archive to them."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

from photodesk.insights import rollup


class Command(BaseCommand):
    help = "Rebuild the insights dashboard's rollups (label and ingest charts)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, no_progress: bool, **options) -> None:
        with tqdm(unit="chunk", disable=no_progress, desc="Counting") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            build = rollup.rebuild(progress)
        self.stdout.write(f"Rollups rebuilt in {build.seconds:.1f} s (days in {build.time_zone}).")
