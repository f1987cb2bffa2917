"""A report's contents (a saved search's results, the archive's counts), rendered in its
formats, kept as ReportFiles under reports/ of the default storage and e-mailed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.text import slugify

from photodesk.alerts import render, saved
from photodesk.alerts.channels import addresses
from photodesk.host import host
from photodesk.insights import queries
from photodesk.insights.filters import Filters
from photodesk.models import ImageAnalysis, ImageLabel, Report, ReportFile

LABELS_SHOWN = 15  # the most common labels a report lists and charts

MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@dataclass
class ReportData:
    title: str
    generated: dt.datetime
    query: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)
    labels: list[tuple[str, int]] = field(default_factory=list)
    states: list[tuple[str, int]] = field(default_factory=list)


def gather(report: Report, now: dt.datetime | None = None) -> ReportData:
    data = ReportData(title=report.name, generated=now or timezone.now())
    if report.saved_search is not None:
        data.query = report.saved_search.query
        data.results = result_rows(saved.run(report.saved_search))
    if report.include_counts:
        # The dashboard's own queries, for the whole archive: a report and the dashboard
        # never disagree.
        everything = Filters()
        data.labels = [
            (row["label"], row["images"])
            for row in queries.top_labels(everything, limit=LABELS_SHOWN)
        ]
        data.states = [
            (ImageAnalysis.Status(row["state"]).label, row["images"])
            for row in queries.analysis_states(everything)["states"]
        ]
    return data


def result_rows(found: list) -> list[dict[str, Any]]:
    site = host()
    ids = [r.image.pk for r in found]
    tags: dict[int, list[str]] = {}
    rows = ImageLabel.objects.visible().filter(image_id__in=ids).select_related("label")
    for tag in rows.order_by("-confidence"):
        tags.setdefault(tag.image_id, []).append(tag.label.name)
    out = []
    for rank, result in enumerate(found, 1):
        created = site.image_added(result.image)
        out.append(
            {
                "rank": rank,
                "id": result.image.pk,
                "title": site.image_title(result.image),
                "similarity": None if result.similarity is None else round(result.similarity, 3),
                "labels": ", ".join(tags.get(result.image.pk, [])),
                "rights": site.image_rights(result.image) or "",
                "created": created.strftime("%Y-%m-%d %H:%M") if created else "",
            }
        )
    return out


def run(report: Report, now: dt.datetime | None = None) -> list[ReportFile]:
    """Render the report in each of its formats, keep the files and e-mail them."""
    data = gather(report, now)
    stamp = data.generated.strftime("%Y%m%d-%H%M")
    files = []
    for fmt in report.formats or ["pdf"]:
        content = RENDERERS[fmt](data)
        name = f"{slugify(report.name) or 'report'}-{stamp}.{fmt}"
        kept = ReportFile(report=report, format=fmt)
        kept.file.save(name, ContentFile(content), save=True)
        files.append(kept)
    recipients = addresses(report.recipients)
    if recipients:
        mail = EmailMessage(
            f"[Photodesk] {report.name} ({data.generated:%Y-%m-%d})",
            summary(data),
            to=recipients,
        )
        for kept in files:
            kept.file.open("rb")
            with kept.file:
                mail.attach(kept.file.name.rsplit("/", 1)[-1], kept.file.read(), MIME[kept.format])
        mail.send()
    report.last_run_at = data.generated
    report.save(update_fields=["last_run_at"])
    return files


def summary(data: ReportData) -> str:
    lines = [f"{data.title}, generated {data.generated:%Y-%m-%d %H:%M %Z}."]
    if data.query:
        lines.append(f"Saved search “{data.query}”: {len(data.results)} result(s).")
    if data.labels:
        top = ", ".join(f"{name} ({n})" for name, n in data.labels[:5])
        lines.append(f"Most common labels: {top}.")
    lines.append("The report is attached.")
    return "\n".join(lines) + "\n"


RENDERERS = {"pdf": render.pdf, "xlsx": render.xlsx, "csv": render.csv_text}
