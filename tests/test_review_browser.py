"""The review queue in a real browser: Playwright on Debian's Chromium."""

from __future__ import annotations

import pytest

from photodesk.models import ImageLabel, Label

from .browser import log_in, save_screenshot
from .helpers import jpeg_bytes, make_image


@pytest.mark.browser
def test_approving_two_labels_in_bulk_updates_the_queue(
    live_server, browser_page, django_user_model, request
):
    django_user_model.objects.create_superuser("chief", "c@example.com", "secret-pw")
    dog = Label.objects.get(name="dog")
    rows = [
        ImageLabel.objects.create(
            image=make_image(jpeg_bytes((i * 60, 90, 90)), f"d{i}.jpg"),
            label=dog,
            confidence=30 + i,
            source="test",
            state="review",
        )
        for i in range(3)
    ]
    page = browser_page
    try:
        log_in(page, live_server.url, "chief")
        # Only this test's rows: the session's demo archive has pending labels of its own.
        page.goto(f"{live_server.url}/admin/semantic_search/reviewitem/?source__exact=test")
        assert page.locator("#result_list tbody tr").count() == 3
        checkboxes = page.locator("#result_list tbody input.action-select")
        checkboxes.nth(0).check()
        checkboxes.nth(1).check()
        page.select_option("select[name=action]", "approve_labels")
        page.click("button[name=index]")
        page.wait_for_selector("ul.messagelist")
        assert "Approved 2 label(s)" in page.inner_text("ul.messagelist")
        assert page.locator("#result_list tbody tr").count() == 1
        states = sorted(
            ImageLabel.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", flat=True)
        )
        assert states == ["accepted", "accepted", "review"]
    except Exception:
        save_screenshot(page, request)
        raise
