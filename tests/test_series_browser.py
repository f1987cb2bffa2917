"""Series in a real browser (Playwright on Debian's Chromium): the suggestions show one frame
of a burst with "+N similar", which opens the other frames as cards of their own; the series'
admin page shows every frame with the parts of its score."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from . import test_series
from .browser import log_in, save_screenshot
from .test_series import _description

# The series tests' fixtures: the face mesh, their settings, the astronaut's burst.
eyes_dir = test_series.eyes_dir
series_settings = test_series.series_settings
astronaut_burst = test_series.astronaut_burst

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _screenshot(page, name: str, locator=None) -> None:
    # PHOTODESK_SCREENSHOTS=1 refreshes the README's pictures.
    if os.environ.get("PHOTODESK_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        (locator or page).screenshot(path=str(DOCS / name))


@pytest.mark.browser
def test_the_panel_shows_a_burst_once_and_opens_its_other_frames(
    committed_db, live_server, astronaut_burst, page_1366, django_user_model, request
):
    from playwright.sync_api import expect

    from photodesk.models import Series

    series = Series.objects.get(members__image_id=astronaut_burst["good1"])
    frames = set(series.members.values_list("image_id", flat=True))
    django_user_model.objects.create_superuser("writer", "w@example.com", "secret-pw")
    page = page_1366
    page.set_default_timeout(30_000)  # the first suggestion loads the text model
    try:
        log_in(page, live_server.url, "writer")
        page.goto(f"{live_server.url}/admin/cms_images/article/add/")
        panel = page.locator("#pd-suggest")
        status = panel.locator(".pd-status")
        expect(status).to_have_text("Write a title or some text to see suggestions.")
        page.fill("#id_title", "Astronaut portrait")
        page.locator("#id_body").fill(_description(astronaut_burst["good1"]))
        # The first suggestion loads the text model (slow on a busy machine).
        expect(status).to_have_text(
            re.compile(r"^\d+ suggestions? for the text as it is now"), timeout=90_000
        )

        stand_in = panel.locator(f'.pd-card[data-image-id="{series.best_id}"]')
        expect(stand_in).to_have_count(1)
        shown = {
            int(i)
            for i in panel.locator(".pd-card").evaluate_all("cs => cs.map(c => c.dataset.imageId)")
        }
        assert shown & frames == {series.best_id}  # one frame of the burst, the best
        more = stand_in.locator("button.pd-frames")
        expect(more).to_have_text(re.compile(r"^\+\d+ similar$"))
        n = int(re.search(r"\d+", more.inner_text()).group())
        assert n >= 1
        page.wait_for_function(
            "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)",
            arg=panel.locator(".pd-card img").element_handles()[:3],
        )
        _screenshot(page, "series-panel.png", panel)
        more.click()
        opened = panel.locator(f'.pd-frame-card[data-series-of="{series.best_id}"]')
        expect(opened).to_have_count(n)
        expect(more).to_have_attribute("aria-expanded", "true")
        expect(status).to_contain_text(f"{n} other frame")
        assert {int(i) for i in opened.evaluate_all("cs => cs.map(c => c.dataset.imageId)")} <= (
            frames - {series.best_id}
        )
        page.wait_for_function(
            "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)",
            arg=panel.locator(".pd-card img").element_handles()[: n + 1],
        )
        _screenshot(page, "series-panel-open.png", panel)
        # A frame's card works like any other: it can become the lead image.
        opened.first.get_by_role("button", name="Use as lead image").click()
        expect(opened.first).to_have_class(re.compile("pd-is-lead"))
        expect(more).to_have_text("Hide similar")
        more.click()
        expect(opened).to_have_count(0)
        expect(more).to_have_text(f"+{n} similar")

        page.goto(f"{live_server.url}/admin/semantic_search/series/{series.pk}/change/")
        figures = page.locator("figure.pd-frame")
        expect(figures).to_have_count(series.size)
        expect(page.locator("figure.pd-frame-best")).to_have_count(1)
        expect(page.locator("figure.pd-frame-best")).to_contain_text("best")
        expect(figures.first).to_contain_text("Eyes open")
        page.wait_for_function(
            "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)",
            arg=figures.locator("img").element_handles(),
        )
        _screenshot(page, "series-admin.png", page.locator(".pd-series"))
    except Exception:
        save_screenshot(page, request)
        raise
