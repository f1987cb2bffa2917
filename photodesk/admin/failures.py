"""What went wrong and needs a person: analyses that failed, and index writes still owed a
minute after the change (the index was down, or their task was lost). The image analyses
list filters them ("needs attention"), counts them above the list, and retries them in one
click (a button per row, or the action for the selected rows): the same tasks the app queues
itself, so a retry that fails again is retried and counted like any other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import QuerySet

from photodesk.models import ImageAnalysis
from photodesk.tasks import enqueue_analysis, enqueue_index_write


@dataclass
class Retried:
    analyses: int = 0
    index_writes: int = 0

    def __str__(self) -> str:
        parts = []
        if self.analyses:
            parts.append(f"queued the analysis of {self.analyses} image(s)")
        if self.index_writes:
            parts.append(f"queued the index write of {self.index_writes} image(s)")
        return ("; ".join(parts) or "nothing to retry: none of them failed").capitalize() + "."


def retry(analyses: Iterable[ImageAnalysis]) -> Retried:
    """Queue again what failed: a failed analysis runs again (forced: the same file may have
    failed for a reason since fixed), an owed index write is written."""
    retried = Retried()
    for analysis in analyses:
        if analysis.status == ImageAnalysis.Status.FAILED:
            enqueue_analysis(analysis.image_id, force=True)
            retried.analyses += 1
        elif analysis.index_pending:
            enqueue_index_write(analysis.image_id)
            retried.index_writes += 1
    return retried


def needs_attention(queryset: QuerySet) -> QuerySet:
    return queryset.failed() | queryset.index_stalled()


class ProblemFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "problem"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [
            ("any", "Failed analyses or index writes"),
            ("analysis", "Analysis failed"),
            ("index", "Index write failed (owed over a minute)"),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "analysis":
            return queryset.failed()
        if self.value() == "index":
            return queryset.index_stalled()
        if self.value() == "any":
            return needs_attention(queryset)
        return None


def problem_counts() -> dict[str, int]:
    return {
        "analysis": ImageAnalysis.objects.failed().count(),
        "index": ImageAnalysis.objects.index_stalled().count(),
    }
