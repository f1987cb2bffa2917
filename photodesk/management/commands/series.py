"""manage.py series: find the series among photos already analysed, and rescore them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from tqdm import tqdm

from photodesk.conf import photodesk_settings
from photodesk.models import ImageAnalysis, Series
from photodesk.series import grouping


class Command(BaseCommand):
    help = (
        "Place every analysed photo into its series (bursts: the same scene seconds apart) and "
        "score the frames; photos analysed from now on are placed by the worker."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--rescore",
            action="store_true",
            help="Measure every frame of every series again (after a model or weight change).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, rescore: bool, no_progress: bool, **options) -> None:
        if not photodesk_settings.SERIES:
            raise CommandError("Series are switched off (PHOTODESK SERIES).")
        # In arrival order, as the worker would have placed them.
        ids = list(
            ImageAnalysis.objects.done()
            .exclude(visual_embedding=None)
            .order_by("image_id")
            .values_list("image_id", flat=True)
        )
        for pk in tqdm(ids, unit="img", disable=no_progress, desc="Grouping"):
            grouping.place(pk)
        if rescore:
            all_series = list(Series.objects.all())
            for series in tqdm(all_series, unit="series", disable=no_progress, desc="Scoring"):
                grouping.rescore(series, remeasure=True)
        else:
            # Series that lost frames to deletions: one frame left is no series.
            for series in Series.objects.annotate(frames=Count("members")).filter(frames__lt=2):
                grouping.rescore(series)
        count = Series.objects.count()
        frames = Series.objects.values_list("size", flat=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(ids)} photo(s) looked at: {count} series, {sum(frames)} frame(s) in them."
            )
        )
