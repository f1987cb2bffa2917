"""manage.py reconcile: find and repair drift between the database and the search index."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.management import call_command
from django.core.management.base import BaseCommand

from photodesk.indexing import build_documents
from photodesk.models import ImageAnalysis
from photodesk.search.index import get_index
from photodesk.search.index.base import IndexDocument

BATCH = 500


class Command(BaseCommand):
    help = (
        "Compare the search index with the database (the source of truth) and repair it: "
        "index images that are missing or stale, remove documents of images that are gone. "
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
        stale = sorted(
            doc_id
            for doc_id in expected.keys() & actual.keys()
            if expected[doc_id] is not None and expected[doc_id] != actual[doc_id]
        )
        self.stdout.write(
            f"{len(expected)} images in the database, {len(actual)} documents in the index: "
            f"{len(missing)} missing, {len(stale)} stale, {len(orphans)} orphaned."
        )
        if all(fp is None for fp in expected.values()) and expected:
            self.stdout.write("This backend stores no fingerprints: stale documents go unseen.")
        for label, ids in (("missing", missing), ("stale", stale), ("orphaned", orphans)):
            if ids:
                self.stdout.write(f"  {label}: {_preview(ids)}")
        if dry_run or not (missing or stale or orphans):
            return
        repaired = 0
        for batch in _chunks(missing + stale, BATCH):
            repaired += index.upsert(self.documents(batch))
        if orphans:
            index.delete(orphans)
        self.stdout.write(
            self.style.SUCCESS(f"Repaired: {repaired} indexed, {len(orphans)} removed.")
        )

    @staticmethod
    def documents(ids: list[int] | None = None) -> Iterator[IndexDocument]:
        analyses = ImageAnalysis.objects.indexable().select_related("image").order_by("image_id")
        if ids is not None:
            analyses = analyses.filter(image_id__in=ids)
        yield from build_documents(analyses.iterator(chunk_size=BATCH), batch=BATCH)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _preview(ids: list[int], shown: int = 20) -> str:
    more = f" … and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(map(str, ids[:shown])) + more
