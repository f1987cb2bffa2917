"""The admin in a real browser: Playwright on Debian's Chromium (scripts/chromium.sh).

Fixtures `browser_page` (1280×900) and `page_1366` (a 1366×768 laptop less the browser's bars),
`log_in()` and `save_screenshot()` (into test-artifacts/, called by a test that fails). The pages
come with `committed_db`: the live server's thread reads what the test commits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from .conftest import need

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "secret-pw"


@contextmanager
def chromium_page(width: int, height: int) -> Iterator[Any]:
    need(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are ours.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
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
            try:
                yield browser.new_page(viewport={"width": width, "height": height})
            finally:
                browser.close()
                # The test's ORM calls, made while Playwright's event loop runs in this thread,
                # opened a connection of their own: close it, or PostgreSQL cannot drop the
                # test database at the end of the session.
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(committed_db) -> Iterator[Any]:
    with chromium_page(1280, 900) as page:
        yield page


@pytest.fixture
def page_1366(committed_db) -> Iterator[Any]:
    with chromium_page(1366, 680) as page:
        yield page


def log_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def save_screenshot(page: Any, request: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
