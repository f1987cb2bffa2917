"""manage.py analyze: (re)analyse images — the backfill after a model or pipeline change."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from semantic_search import describe
from semantic_search.images import get_image_model
from semantic_search.models import ImageAnalysis
from semantic_search.pipeline import PIPELINE_VERSION
from semantic_search.tasks import analysis_inline, analyze_image, enqueue_analysis


def stale_image_ids() -> list[int]:
    """Images never analysed, failed, or analysed by another pipeline or embedding version."""
    current = ImageAnalysis.objects.filter(
        status=ImageAnalysis.Status.DONE,
        pipeline_version=PIPELINE_VERSION,
        embedding_model=describe.embedding_model_name(),
    ).values("image_id")
    return list(
        get_image_model()
        .objects.exclude(pk__in=current)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


class Command(BaseCommand):
    help = (
        "Analyse images again. By default only those whose analysis is missing, failed or made "
        "by an older pipeline or model (the backfill after an upgrade); --all for every image."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("ids", nargs="*", type=int, help="Only these image ids.")
        parser.add_argument("--all", action="store_true", help="Every image, even if current.")
        parser.add_argument("--failed", action="store_true", help="Only failed analyses.")
        parser.add_argument("--sync", action="store_true", help="Run now instead of queueing.")
        parser.add_argument("--dry-run", action="store_true", help="Only say how many.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, ids, all, failed, sync, dry_run, no_progress, **options) -> None:
        if sum(map(bool, (ids, all, failed))) > 1:
            raise CommandError("Give image ids, --all or --failed, not several.")
        model = get_image_model()
        if ids:
            found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if missing := sorted(set(ids) - found):
                raise CommandError(f"No image with id {', '.join(map(str, missing))}.")
            targets = sorted(found)
        elif all:
            targets = list(model.objects.order_by("pk").values_list("pk", flat=True))
        elif failed:
            targets = list(
                ImageAnalysis.objects.filter(Q(status=ImageAnalysis.Status.FAILED))
                .order_by("image_id")
                .values_list("image_id", flat=True)
            )
        else:
            targets = stale_image_ids()
        if dry_run or not targets:
            self.stdout.write(f"{len(targets)} image(s) to analyse.")
            return
        force = bool(ids or all)
        for pk in tqdm(targets, unit="img", disable=no_progress, desc="Analysing"):
            if sync:
                with analysis_inline():
                    try:
                        analyze_image(pk, force=force)
                    except Exception as exc:  # recorded on the analysis; go on with the rest
                        self.stderr.write(f"Image {pk}: {exc}")
            else:
                enqueue_analysis(pk, force=force)
        verb = "Analysed" if sync else "Queued analysis of"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(targets)} image(s)."))
