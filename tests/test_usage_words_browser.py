"""Words from use on the image's admin page, in a real browser: listed with their source, and
an editor's Remove button takes an article's words off the photo."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms_images.models import Article
from photodesk.models import UsageWords

from .browser import log_in, save_screenshot

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.browser
def test_an_editor_removes_an_articles_words_from_the_image_page(
    archive, live_server, browser_page, django_user_model, settings, separate_index, request
):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}  # the sync runs inline
    django_user_model.objects.create_superuser("chief", "c@example.com", "secret-pw")
    image_id = archive["animal_cat_chelsea.jpg"]
    Article.objects.create(
        title="Rescue cats find homes before winter",
        body="The shelter in Leeds placed forty cats this month. Volunteers expect more.",
        lead_image_id=image_id,
    )
    Article.objects.create(
        title="Council approves new animal shelter budget",
        body=f"The vote was close.\n[image:{image_id}]\nThe shelter opens next spring.",
    )
    assert UsageWords.objects.filter(image_id=image_id).count() == 2
    page = browser_page
    try:
        log_in(page, live_server.url, "chief")
        page.goto(f"{live_server.url}/admin/cms_images/image/{image_id}/change/")
        rows = page.locator(".photodesk-usage-row")
        assert rows.count() == 2
        council = rows.filter(has_text="Council approves")
        assert "used in “Council approves new animal shelter budget”" in council.inner_text()
        council.get_by_role("button", name="Remove").click()
        page.wait_for_selector("ul.messagelist")
        assert "Removed the words of “Council approves" in page.inner_text("ul.messagelist")
        council = page.locator(".photodesk-usage-row.removed")
        assert "removed by chief" in council.inner_text()
        assert page.locator(".photodesk-usage-remove").count() == 1  # the other one's button
        assert UsageWords.objects.active().filter(image_id=image_id).count() == 1
        section = page.locator(".photodesk-usage")
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(DOCS / "image-usage-words.png"))
    except Exception:
        save_screenshot(page, request)
        raise
