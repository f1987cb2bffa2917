"""The review queue in a real browser: Playwright on Debian's Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from semantic_search.models import ImageLabel, Label

from .conftest import need
from .helpers import jpeg_bytes, make_image

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def browser_page():
    need(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are ours.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
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
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "secret-pw")
        page.click("input[type=submit]")
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
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        raise
