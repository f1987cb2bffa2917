"""manage.py reconcile: find and repair drift between the database and the search index."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.management import call_command
from django.core.management.base import BaseCommand

from photodesk.indexing import build_documents, catch_up, drain_removals, video_documents
from photodesk.models import ImageAnalysis, IndexRemoval
from photodesk.search.index import get_index
from photodesk.search.index.base import IndexDocument, is_video_doc, video_of
from photodesk.tasks import recover_stale_analyses

BATCH = 500


class Command(BaseCommand):
    help = (
        "Compare the search index with the database (the source of truth) and repair it: "
        "index images that are missing, stale or marked index-pending (a write that failed "
        "or was cut short), remove documents of images that are gone (and the outbox of "
        "deletes), requeue analyses shown running whose worker died. "
        "An index that is missing or has an outdated mapping is rebuilt (as reindex does)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the drift, change nothing."
        )
        parser.add_argument(
            "--deep",
            action="store_true",
            help="Recompute each indexed document's fingerprint from its content instead of "
            "trusting the stored one (slower: reads every vector).",
        )

    def handle(self, *args, dry_run: bool, deep: bool, **options) -> None:
        if not dry_run:
            stale = recover_stale_analyses()
            if any(stale.values()):
                self.stdout.write(
                    f"Analyses whose worker died: {stale['requeued']} queued again, "
                    f"{stale['failed']} failed."
                )
        index = get_index()
        problems = index.mapping_problems()
        if problems:
            self.stdout.write("The index must be rebuilt: " + "; ".join(problems))
            if not dry_run:
                call_command("reindex", no_progress=True, stdout=self.stdout)
            return

        expected = {doc.id: index.fingerprint(doc) for doc in self.documents()}
        actual = index.fingerprints(deep=deep)
        missing = sorted(expected.keys() - actual.keys())
        orphans = sorted(actual.keys() - expected.keys())
        # Marked index-pending: the database knows the index owes them a write.
        pending = set(ImageAnalysis.objects.index_pending().values_list("image_id", flat=True))
        outbox = IndexRemoval.objects.count()
        stale = sorted(
            doc_id
            for doc_id in expected.keys() & actual.keys()
            if expected[doc_id] is not None and expected[doc_id] != actual[doc_id]
        )
        missing = [i for i in missing if i not in pending]
        stale = [i for i in stale if i not in pending]
        orphans = [i for i in orphans if i not in pending]
        self.stdout.write(
            f"{len(expected)} images in the database, {len(actual)} documents in the index: "
            f"{len(missing)} missing, {len(stale)} stale, {len(orphans)} orphaned, "
            f"{len(pending)} index-pending, {outbox} removals owed."
        )
        if all(fp is None for fp in expected.values()) and expected:
            self.stdout.write("This backend stores no fingerprints: stale documents go unseen.")
        for label, ids in (
            ("missing", missing),
            ("stale", stale),
            ("orphaned", orphans),
            ("index-pending", sorted(pending)),
        ):
            if ids:
                self.stdout.write(f"  {label}: {_preview(ids)}")
        if dry_run or not (missing or stale or orphans or pending or outbox):
            return
        repaired = 0
        for batch in _chunks(missing + stale, BATCH):
            repaired += index.upsert(self.documents(batch))
        if orphans:
            index.delete(orphans)
        # Indexed or removed as the database says, and their mark cleared.
        caught_up = catch_up(BATCH) if pending else drain_removals(BATCH)
        self.stdout.write(
            self.style.SUCCESS(
                f"Repaired: {repaired} indexed, {len(orphans)} removed, "
                f"{caught_up} index-pending written."
            )
        )

    @staticmethod
    def documents(ids: list[int] | None = None) -> Iterator[IndexDocument]:
        """Images' documents and videos' shot documents (all, or those with these ids)."""
        analyses = ImageAnalysis.objects.indexable().select_related("image").order_by("image_id")
        if ids is not None:
            analyses = analyses.filter(image_id__in=[i for i in ids if not is_video_doc(i)])
        yield from build_documents(analyses.iterator(chunk_size=BATCH), batch=BATCH)
        if ids is None:
            yield from video_documents()
            return
        wanted = set(ids)
        videos = {video_of(i)[0] for i in ids if is_video_doc(i)}
        if videos:
            yield from (d for d in video_documents(videos) if d.id in wanted)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _preview(ids: list[int], shown: int = 20) -> str:
    more = f" … and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(map(str, ids[:shown])) + more
