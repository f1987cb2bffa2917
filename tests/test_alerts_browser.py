"""The alert and saved-search screens in a real browser: an admin sends a test of a rule
(docs/alerts-rule.png) and runs a saved search (docs/saved-search-results.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from photodesk.models import AlertDelivery, AlertRule, SavedSearch

from .alerts_support import *  # noqa: F403
from .browser import PASSWORD, log_in, save_screenshot

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.browser
def test_an_admin_sends_a_test_of_a_rule(
    live_server, browser_page, django_user_model, smtp_inbox, webhook, request
):
    django_user_model.objects.create_superuser("desk-admin", "a@example.com", PASSWORD)
    rule = AlertRule.objects.create(
        name="Flooding in the city centre",
        kind=AlertRule.Kind.LABEL,
        label="flood",
        min_confidence=70,
        emails="picture-desk@example.org",
        webhook_url=webhook.url,
        webhook_format=AlertRule.WebhookFormat.SLACK,
    )
    page = browser_page
    try:
        log_in(page, live_server.url, "desk-admin")
        page.goto(f"{live_server.url}/admin/semantic_search/alertrule/{rule.pk}/change/")
        page.click("form.photodesk-send-test button")
        page.wait_for_selector("ul.messagelist li.success")
        shown = page.inner_text("ul.messagelist")
        assert "Test sent by email to picture-desk@example.org" in shown
        assert "Test sent by webhook" in shown
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "alerts-rule.png"), full_page=True)
        (message,) = smtp_inbox.messages
        assert "Flooding in the city centre" in message["Subject"]
        assert webhook.bodies[0]["text"].startswith("*[Photodesk] Test")

        page.goto(f"{live_server.url}/admin/semantic_search/alertdelivery/")
        assert page.locator("#result_list tbody tr").count() == 2
        assert AlertDelivery.objects.filter(rule=rule, test=True, ok=True).count() == 2
    except Exception:
        save_screenshot(page, request)
        raise


@pytest.mark.browser
def test_an_editor_runs_a_saved_search(
    live_server, archive, browser_page, django_user_model, request
):
    editor = django_user_model.objects.create_superuser("editor", "e@example.com", PASSWORD)
    search = SavedSearch.objects.create(owner=editor, name="Cats", query="a cat", limit=5)
    page = browser_page
    try:
        log_in(page, live_server.url, "editor")
        page.goto(f"{live_server.url}/admin/semantic_search/savedsearch/")
        page.click(f"a[href$='/savedsearch/{search.pk}/results/']")
        page.wait_for_selector("table.photodesk-results")
        rows = page.locator("table.photodesk-results tbody tr")
        assert 1 <= rows.count() <= 5
        assert "animal_cat_chelsea" in page.inner_text("table.photodesk-results")
        page.screenshot(path=str(DOCS / "saved-search-results.png"), full_page=True)
    except Exception:
        save_screenshot(page, request)
        raise
