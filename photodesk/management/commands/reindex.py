"""manage.py reindex: rebuild the search index from the database, without running a model."""

from __future__ import annotations

from itertools import chain

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from photodesk.analysis import borrowed
from photodesk.analysis.decode import InvalidImage
from photodesk.analysis.embedding import joint_model
from photodesk.analysis.pipeline import embed
from photodesk.indexing import (
    build_documents,
    counted,
    record_video_shots_indexed,
    video_documents,
)
from photodesk.labels.service import apply_labels
from photodesk.models import ImageAnalysis
from photodesk.search.index import get_index
from photodesk.search.index.base import IndexBusy


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the facts and vectors stored in the database. "
        "Searches keep working on the old index until the new one is complete."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--re-embed",
            action="store_true",
            help="First recompute every description and vector from the stored facts (after "
            "the embedding recipe or text model changed); the image models do not run, except "
            "a joint image–text model (CLIP_MODEL_DIR) on images it has not embedded yet.",
        )

    def handle(self, *args, no_progress: bool, re_embed: bool = False, **options) -> None:
        if re_embed:
            self.re_embed(no_progress)
        started = timezone.now()
        analyses = ImageAnalysis.objects.indexable().select_related("image").order_by("image_id")
        total = analyses.count()
        images = build_documents(
            tqdm(
                analyses.iterator(chunk_size=500),
                total=total,
                unit="img",
                disable=no_progress,
                desc="Reindexing",
            )
        )
        shots: list[int] = []  # the videos' shot documents, counted as they go by
        documents = chain(images, counted(video_documents(), shots))
        try:
            # OpenSearch builds a new versioned index and swaps the alias when it is complete.
            written = get_index().replace_all(documents)
        except IndexBusy as exc:
            raise CommandError(str(exc)) from exc
        # The new index holds every analysis as it was read: what was pending before it
        # started is written (or, not analysed, left out); later changes keep their mark.
        ImageAnalysis.objects.index_pending().filter(updated__lte=started).update(
            index_pending=False
        )
        pending = ImageAnalysis.objects.exclude(status=ImageAnalysis.Status.DONE).count()
        written -= len(shots)
        if shots:
            record_video_shots_indexed(started)
        videos = f" and {len(shots)} video shots" if shots else ""
        self.stdout.write(self.style.SUCCESS(f"Indexed {written} images{videos}."))
        if pending:
            self.stdout.write(
                f"{pending} images are not analysed yet (pending, running or "
                "failed); they join the index when their analysis is done."
            )

    def re_embed(self, no_progress: bool) -> None:
        joint = joint_model()
        analyses = ImageAnalysis.objects.done().select_related("image")
        unreadable = []
        for analysis in tqdm(
            analyses, total=analyses.count(), unit="img", disable=no_progress, desc="Re-embedding"
        ):
            fields = ["description", "embedding", "embedding_model", "updated"]
            try:
                embedded = embed(analysis.image, analysis)
                if embedded.ran_joint_model:
                    fields += ["image_embedding", "model_versions"]
            except InvalidImage as exc:
                # Its old vector is of another model (and dimension): it cannot join the new
                # index. Failed, like an analysis of that file would be; the image is kept.
                analysis.status, analysis.error = ImageAnalysis.Status.FAILED, str(exc)
                analysis.save(update_fields=["status", "error", "updated"])
                unreadable.append(f"image {analysis.image_id}: {exc}")
                continue
            with transaction.atomic():
                analysis.save(update_fields=fields)
                borrowed.record(analysis.image, embedded.lent)
                # Zero-shot labels come and go with the joint model.
                apply_labels(analysis.image, analysis, joint=joint)
        if unreadable:
            self.stderr.write(
                f"{len(unreadable)} image(s) left out of the index, their analysis marked "
                "failed (the joint model could not read their file): " + "; ".join(unreadable[:10])
            )
