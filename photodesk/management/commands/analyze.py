"""manage.py analyze: (re)analyse images — the backfill after a model or pipeline change."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from photodesk.analysis import embedding, pipeline
from photodesk.analysis.pipeline import PIPELINE_VERSION
from photodesk.aws import budget as aws_budget
from photodesk.conf import photodesk_settings
from photodesk.host import get_image_model
from photodesk.models import ImageAnalysis
from photodesk.tasks import analysis_inline, analyze_image, enqueue_analysis


def stale_image_ids() -> list[int]:
    """Images never analysed, failed, or analysed by another pipeline or embedding version."""
    current = ImageAnalysis.objects.filter(
        status=ImageAnalysis.Status.DONE,
        pipeline_version=PIPELINE_VERSION,
        embedding_model=embedding.embedding_model_name(),
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
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many images, and how many paid AWS calls that would make.",
        )
        parser.add_argument(
            "--budget",
            type=int,
            metavar="N",
            help="At most N paid AWS calls in this run (with --sync: stops before the image "
            "that would go over; queued: queues only the images N calls cover). Default: "
            "PHOTODESK['AWS_BACKFILL_BUDGET'].",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        ids,
        all,
        failed,
        sync,
        dry_run,
        no_progress,
        budget=None,
        **options,
    ) -> None:
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
        if budget is None:
            budget = photodesk_settings.AWS_BACKFILL_BUDGET
        if budget is not None and budget < 0:
            raise CommandError("--budget is a number of calls, 0 or more.")
        per_image = pipeline.api_calls_per_image()
        if dry_run or not targets:
            self.stdout.write(f"{len(targets)} image(s) to analyse.")
            if per_image and targets:
                total = {api: n * len(targets) for api, n in per_image.items()}
                self.stdout.write(
                    f"AWS calls, at most: {aws_budget.format_counts(total)} "
                    f"({sum(total.values())} in all)."
                )
            return
        cost = sum(per_image.values())
        if budget is not None and not sync and cost:
            covered = targets[: budget // cost]
            if len(covered) < len(targets):
                self.stdout.write(
                    f"The budget of {budget} calls covers {len(covered)} of {len(targets)} "
                    "image(s); queueing those."
                )
            targets = covered
        force = bool(ids or all)
        done = 0
        with aws_budget.limited(budget if sync else None) as spent:
            for pk in tqdm(targets, unit="img", disable=no_progress, desc="Analysing"):
                if sync and not spent.affords(cost):
                    self.stdout.write(
                        f"Budget of {budget} AWS calls reached; {len(targets) - done} image(s) "
                        "left for the next run."
                    )
                    break
                if sync:
                    with analysis_inline():
                        try:
                            status = analyze_image(pk, force=force)
                        except Exception as exc:  # recorded on the analysis; go on
                            self.stderr.write(f"Image {pk}: {exc}")
                        else:
                            if status == ImageAnalysis.Status.FAILED and spent.remaining == 0:
                                self.stdout.write(
                                    f"Budget of {budget} AWS calls spent during image {pk}; "
                                    f"{len(targets) - done} image(s) left for the next run."
                                )
                                break
                else:
                    enqueue_analysis(pk, force=force)
                done += 1
        verb = "Analysed" if sync else "Queued analysis of"
        self.stdout.write(self.style.SUCCESS(f"{verb} {done} image(s)."))
        if spent.used:
            self.stdout.write(f"AWS calls made: {aws_budget.format_counts(spent.used)}.")
