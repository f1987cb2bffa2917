"""Scheduled reports rendered for real: a saved search and the archive's counts as PDF (read
back with poppler's pdftotext, a page drawn with pdftoppm), XLSX and CSV, kept under
reports/ and e-mailed with the attachments to a real SMTP server."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django_q.models import Schedule

from photodesk import tasks
from photodesk.alerts import reports, schedules
from photodesk.models import ImageAnalysis, ImageLabel, Report, ReportFile, SavedSearch

from .alerts_support import *  # noqa: F403
from .conftest import need

DOCS = Path(__file__).resolve().parent.parent / "docs"


def poppler(tool: str) -> str:
    need(shutil.which(tool) is not None, f"{tool} is missing (apt-get install poppler-utils)")
    return shutil.which(tool)


def label_counts() -> list[tuple[str, int]]:
    """The most common labels counted from the label rows (what a report must list)."""
    rows = ImageLabel.objects.counts()[: reports.LABELS_SHOWN]
    return [(row["label__name"], row["images"]) for row in rows]


@pytest.fixture
def weekly_report(archive, django_user_model) -> Report:
    owner = django_user_model.objects.create_user("picture-desk")
    search = SavedSearch.objects.create(owner=owner, name="Animals", query="animals", limit=8)
    return Report.objects.create(
        name="Weekly animals",
        saved_search=search,
        formats=["pdf", "xlsx", "csv"],
        frequency=Report.Frequency.WEEKLY,
        recipients="desk@example.org\nchief@example.org",
    )


def test_a_report_is_rendered_kept_and_mailed(weekly_report, smtp_inbox, tmp_path):
    top_labels = [name for name, _ in label_counts()]
    assert top_labels

    assert tasks.run_report(weekly_report.pk).count("reports/") == 3
    files = {f.format: f for f in ReportFile.objects.filter(report=weekly_report)}
    assert set(files) == {"pdf", "xlsx", "csv"}
    assert all(f.file.name.startswith("reports/") for f in files.values())

    # The PDF, read back: the title, the charts' label names, the results' titles.
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(files["pdf"].file.read())
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Weekly animals" in text and "Most common labels" in text
    assert all(name[:28] in text for name in top_labels[:5])
    assert "Saved search “animals”" in text
    subprocess.run(
        [
            poppler("pdftoppm"),
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    (page,) = tmp_path.glob("page*.png")
    assert page.stat().st_size > 10_000
    shutil.copy(page, DOCS / "report-page.png")

    # The spreadsheet: the results and a sheet of label counts with a chart.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(files["xlsx"].file.read()))
    results = list(book["Results"].iter_rows(min_row=6, values_only=True))
    assert 1 <= len(results) <= 8
    assert [row[0] for row in book["Labels"].iter_rows(min_row=2, values_only=True)] == top_labels
    assert book["Labels"]._charts

    rows = list(csv.DictReader(io.StringIO(files["csv"].file.read().decode())))
    assert [r["id"] for r in rows] == [str(r[1]) for r in results]

    # The e-mail, as the SMTP server received it: the three files attached.
    (message,) = smtp_inbox.messages
    assert smtp_inbox.envelopes[0][1] == ["desk@example.org", "chief@example.org"]
    attached = {part.get_filename(): part for part in message.iter_attachments()}
    assert sorted(name.rsplit(".", 1)[1] for name in attached) == ["csv", "pdf", "xlsx"]
    pdf_part = next(p for n, p in attached.items() if n.endswith(".pdf"))
    assert pdf_part.get_content_type() == "application/pdf"
    assert pdf_part.get_content() == pdf.read_bytes()
    weekly_report.refresh_from_db()
    assert weekly_report.last_run_at is not None


def test_a_report_runs_on_its_schedule(weekly_report):
    schedules.sync_report(weekly_report)
    (schedule,) = Schedule.objects.filter(name=schedules.report_name(weekly_report.pk))
    assert schedule.func == "photodesk.tasks.run_report" and schedule.schedule_type == "W"
    weekly_report.frequency = Report.Frequency.MONTHLY
    schedules.sync_report(weekly_report)
    assert Schedule.objects.get(name=schedule.name).schedule_type == Schedule.MONTHLY
    weekly_report.active = False
    schedules.sync_report(weekly_report)
    assert not Schedule.objects.filter(name=schedule.name).exists()


def test_counts_only_csv(archive):
    report = Report.objects.create(name="Archive", formats=["csv"])
    tasks.run_report(report.pk)
    rows = list(csv.reader(io.StringIO(report.files.get().file.read().decode())))
    assert rows[0] == ["label", "images"] and rows[1:] == [
        [name, str(n)] for name, n in label_counts()
    ]
    # The states as the report counts them, from the rows.
    states = dict(reports.gather(report).states)
    assert sum(states.values()) == ImageAnalysis.objects.count()
    assert states["Done"] == ImageAnalysis.objects.done().count()


@pytest.mark.browser
def test_an_admin_runs_a_report_and_downloads_it(
    live_server, archive, browser_page, django_user_model, smtp_inbox, request
):
    from .browser import PASSWORD, log_in, save_screenshot

    admin = django_user_model.objects.create_superuser("chief", "c@example.com", PASSWORD)
    search = SavedSearch.objects.create(owner=admin, name="Animals", query="animals", limit=5)
    report = Report.objects.create(
        name="Weekly animals",
        saved_search=search,
        formats=["pdf", "csv"],
        recipients="chief@example.org",
    )
    page = browser_page
    try:
        log_in(page, live_server.url, "chief")
        page.goto(f"{live_server.url}/admin/semantic_search/report/")
        page.check(f"input[name=_selected_action][value='{report.pk}']")
        page.select_option("select[name=action]", "run_now")
        page.click("button[name=index]")
        page.wait_for_selector("ul.messagelist li.success")
        assert "Weekly animals: reports/" in page.inner_text("ul.messagelist")
        assert len(smtp_inbox.messages) == 1

        page.goto(f"{live_server.url}/admin/semantic_search/report/{report.pk}/change/")
        links = page.locator("a[href*='/reports/']")
        assert links.count() == 2
        page.screenshot(path=str(DOCS / "report-admin.png"), full_page=True)
        pdf_url = next(
            links.nth(i).get_attribute("href")
            for i in range(2)
            if links.nth(i).get_attribute("href").endswith(".pdf")
        )
        download = page.request.get(f"{live_server.url}{pdf_url}")
        assert download.ok and download.body()[:5] == b"%PDF-"
    except Exception:
        save_screenshot(page, request)
        raise
