"""The "Suggested images" panel in a real browser (Playwright on Debian's Chromium): a journalist
writes about a car maker, sees vehicle and road photos with their reasons, makes one the lead
image, inserts another into the body, and saves."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from cms_images.models import Article

from .browser import log_in, save_screenshot

# PHOTODESK_SCREENSHOTS=1 refreshes the README's picture of the panel.
DOCS_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "suggest-panel.png"

# Ground truth from the photos' COCO captions (shared/photos/demo/LICENSES.txt), not from our
# models: a train on its tracks, buses at a station, a street with a bus, a motorcycle.
VEHICLES_AND_ROADS = {
    "coco_000000014473.jpg",
    "coco_000000015517.jpg",
    "coco_000000098392.jpg",
    "coco_000000011149.jpg",
}
TITLE = "Tech chief tours the car maker's new plant"
# No word in common with any caption of those photos.
BODY = (
    "The chief executive of a software giant spent Tuesday at the carmaker's headquarters, "
    "driving prototypes around the test track before meeting the engineers who build its "
    "electric models."
)


@pytest.mark.browser
def test_a_journalist_picks_a_lead_image_from_the_suggestions(
    live_server, archive, page_1366, django_user_model, request
):
    from playwright.sync_api import expect

    django_user_model.objects.create_superuser("writer", "w@example.com", "secret-pw")
    vehicle_ids = {archive[name] for name in VEHICLES_AND_ROADS}
    page = page_1366
    page.set_default_timeout(30_000)  # the first suggestion loads the text model
    try:
        log_in(page, live_server.url, "writer")
        page.goto(f"{live_server.url}/admin/cms_images/article/add/")

        panel = page.locator("#pd-suggest")
        status = panel.locator(".pd-status")
        expect(status).to_have_text("Write a title or some text to see suggestions.")
        # Beside the body on a laptop screen, not below it.
        body_box = page.locator("#id_body").bounding_box()
        panel_box = panel.bounding_box()
        assert panel_box["x"] >= body_box["x"] + body_box["width"]
        assert panel_box["x"] + panel_box["width"] <= 1366

        asked = []  # what the panel sent to the suggest endpoint
        page.on(
            "request",
            lambda r: asked.append(r.post_data) if r.url.endswith("/suggest/") else None,
        )
        page.fill("#id_title", TITLE)
        page.locator("#id_body").press_sequentially(BODY[:60], delay=20)
        page.locator("#id_body").fill(BODY)  # typing on
        expect(status).to_have_text(re.compile(r"^\d+ suggestions? for the text as it is now"))
        # Debounced: not one request per key, and the last one has the whole text.
        assert 1 <= len(asked) <= 2, len(asked)
        assert "electric models" in asked[-1]
        cards = panel.locator(".pd-card")
        expect(cards.first).to_be_visible()
        shown = [int(i) for i in cards.evaluate_all("cs => cs.map(c => c.dataset.imageId)")]
        vehicles = [i for i in shown if i in vehicle_ids]
        assert vehicles, f"no vehicle or road photo among {shown}"
        car = panel.locator(f'.pd-card[data-image-id="{vehicles[0]}"]')
        assert car.locator(".pd-reasons li").count() >= 1  # it says why
        # The card shows the image as the lead image's crop (16:9 by default).
        expect(car.locator("img")).to_have_attribute("src", re.compile(r"/\d+/16x9/\?size=320$"))
        # The thumbnail loads (made on first request, so give it the time that takes).
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=car.locator("img").element_handle()
        )

        car.get_by_role("button", name="Use as lead image").click()
        expect(page.locator("#id_lead_image")).to_have_value(str(vehicles[0]))
        expect(page.locator(".pd-lead-preview img")).to_be_visible()
        expect(status).to_contain_text("is the lead image")

        # Keyboard: another card into the body, at the end of the text, on its own line.
        other = cards.nth(1 if shown[0] == vehicles[0] else 0)
        other_id = int(other.get_attribute("data-image-id"))
        page.locator("#id_body").press("End")
        other.get_by_role("button", name="Insert into body").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#id_body")).to_have_value(f"{BODY}\n[image:{other_id}]\n")

        # Enter in the panel's search box searches; it does not submit the article.
        page.fill("#pd-search-input", "bus station")
        page.press("#pd-search-input", "Enter")
        expect(panel.locator(".pd-context-text")).to_have_text("Results for “bus station”")
        expect(cards.first).to_be_visible()
        assert "/add/" in page.url

        # "More like this" (keyboard again), then back to the suggestions for the text.
        first = cards.first
        first_title = first.locator("h3").inner_text()
        first.get_by_role("button", name="More like this").focus()
        page.keyboard.press("Enter")
        expect(panel.locator(".pd-context-text")).to_have_text(f"Similar to “{first_title}”")
        expect(status).to_contain_text(f"similar to “{first_title}”")
        panel.get_by_role("button", name="Back to suggestions").click()
        expect(status).to_have_text(re.compile(r"^\d+ suggestions? for the text as it is now"))
        expect(panel.locator(".pd-context")).to_be_hidden()
        if os.environ.get("PHOTODESK_SCREENSHOTS"):
            page.evaluate("window.scrollTo(0, 0)")
            cards.first.locator("img").scroll_into_view_if_needed()
            page.wait_for_function(
                "imgs => imgs.slice(0, 2).every(i => i.complete && i.naturalWidth > 0)",
                arg=cards.locator("img").element_handles(),
            )
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(DOCS_SCREENSHOT))

        page.click("input[name=_save]")
        expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
        article = Article.objects.get(title=TITLE)
        assert article.lead_image_id == vehicles[0]
        assert f"\n[image:{other_id}]" in article.body
    except Exception:
        save_screenshot(page, request)
        raise
