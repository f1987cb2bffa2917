"""A report as bytes: PDF (reportlab, its own charts: pure Python wheels, no system
libraries or fonts needed), XLSX (openpyxl, with a native bar chart) and CSV. Both
libraries are the `reports` extra, imported here only."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from photodesk.extras import installed, pip_command

if TYPE_CHECKING:
    from photodesk.alerts.reports import ReportData

COLUMNS = ("rank", "id", "title", "similarity", "labels", "rights", "created")


class ReportsExtraMissing(RuntimeError):
    """PDF and XLSX reports need the `reports` extra (CSV does not)."""


def _need_reports_extra() -> None:
    if not installed("reports"):
        raise ReportsExtraMissing(
            f"PDF and XLSX reports need reportlab and openpyxl: {pip_command('reports')}"
        )


def pdf(data: ReportData) -> bytes:
    _need_reports_extra()
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=data.title, author="Photodesk")
    story = [
        Paragraph(_escape(data.title), styles["Title"]),
        Paragraph(f"Generated {data.generated:%Y-%m-%d %H:%M %Z}", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]

    def bars(title: str, pairs: list[tuple[str, int]], color) -> Drawing:
        pairs = list(reversed(pairs))  # the largest on top
        height = 30 + 16 * len(pairs)
        drawing = Drawing(170 * mm, height + 20)
        chart = HorizontalBarChart()
        chart.x, chart.y = 110, 10
        chart.width, chart.height = 170 * mm - 130, height - 10
        chart.data = [[n for _, n in pairs]]
        chart.categoryAxis.categoryNames = [name[:28] for name, _ in pairs]
        chart.categoryAxis.labels.fontSize = 8
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontSize = 8
        chart.bars[0].fillColor = color
        chart.barLabelFormat = "%d"
        chart.barLabels.fontSize = 7
        chart.barLabels.dx = 8
        drawing.add(chart)
        drawing.add(String(0, height + 8, title, fontSize=11, fontName="Helvetica-Bold"))
        return drawing

    if data.labels:
        story += [
            bars("Most common labels", data.labels, colors.HexColor("#417690")),
            Spacer(1, 4 * mm),
        ]
    if data.states:
        story += [
            bars("Images by analysis state", data.states, colors.HexColor("#79aec8")),
            Spacer(1, 4 * mm),
        ]
    if data.query:
        story.append(
            Paragraph(
                f"Saved search “{_escape(data.query)}”: {len(data.results)} result(s)",
                styles["Heading2"],
            )
        )
        cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
        rows = [["#", "Title", "Similarity", "Labels", "Created"]]
        for row in data.results:
            rows.append(
                [
                    row["rank"],
                    Paragraph(_escape(row["title"]), cell),
                    "" if row["similarity"] is None else f"{row['similarity']:.3f}",
                    Paragraph(_escape(row["labels"]), cell),
                    row["created"],
                ]
            )
        table = Table(rows, colWidths=[10 * mm, 55 * mm, 20 * mm, 60 * mm, 28 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#417690")),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xlsx(data: ReportData) -> bytes:
    _need_reports_extra()
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    sheet = book.active
    sheet.title = "Results"
    sheet.append(["Report", data.title])
    sheet.append(["Generated", data.generated.replace(tzinfo=None)])
    sheet.append(["Saved search", data.query])
    sheet.append([])
    sheet.append(list(COLUMNS))
    for row in data.results:
        sheet.append([row[c] for c in COLUMNS])
    for name, pairs in (("Labels", data.labels), ("States", data.states)):
        if not pairs:
            continue
        counts = book.create_sheet(name)
        counts.append([name[:-1].lower(), "images"])
        for pair in pairs:
            counts.append(list(pair))
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"Images by {name[:-1].lower()}"
        chart.add_data(
            Reference(counts, min_col=2, min_row=1, max_row=len(pairs) + 1), titles_from_data=True
        )
        chart.set_categories(Reference(counts, min_col=1, min_row=2, max_row=len(pairs) + 1))
        counts.add_chart(chart, "D2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(data: ReportData) -> bytes:
    """The saved search's results; without one, the label counts."""
    out = io.StringIO()
    writer = csv.writer(out)
    if data.query or not data.labels:
        writer.writerow(COLUMNS)
        for row in data.results:
            writer.writerow([row[c] for c in COLUMNS])
    else:
        writer.writerow(["label", "images"])
        writer.writerows(data.labels)
    return out.getvalue().encode("utf-8")
