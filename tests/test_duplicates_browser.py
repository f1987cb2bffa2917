"""The duplicates review screen in a real browser: a group's copies side by side with their
size, credit and rights; the editor keeps one and deletes the others, whose caption and
credit the kept image takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms_images.models import Image
from photodesk.duplicates.fingerprint import read_print
from photodesk.models import DuplicateGroup, DuplicateMember, ImageFingerprint

from .browser import log_in, save_screenshot
from .duplicates_support import ORIGINAL, copy_of
from .helpers import make_image

DOCS = Path(__file__).resolve().parent.parent / "docs"


def member(group: DuplicateGroup, data: bytes, name: str, **fields) -> Image:
    image = make_image(data, name=name, **fields)
    phash, width, height = read_print(data)
    ImageFingerprint.objects.create(
        image=image, phash=phash, width=width, height=height, file_size=len(data)
    )
    DuplicateMember.objects.create(group=group, image=image, similarity=0.96, hash_bits=3)
    return image


@pytest.mark.browser
def test_an_editor_keeps_one_copy_and_deletes_the_others(
    live_server, browser_page, django_user_model, separate_index, request
):
    django_user_model.objects.create_superuser("chief", "c@example.com", "secret-pw")
    group = DuplicateGroup.objects.create()
    original = member(group, ORIGINAL.read_bytes(), "bedroom.jpg", rights="restricted")
    small = member(
        group,
        copy_of(ORIGINAL, "resize"),
        "bedroom-web.jpg",
        caption="A bed under a mosquito net in a guest house near Arusha.",
        credit="Jo Banda / Agency",
        rights="editorial",
    )
    marked = member(group, copy_of(ORIGINAL, "text"), "bedroom-agency.jpg", credit="Agency")
    page = browser_page
    try:
        log_in(page, live_server.url, "chief")
        page.goto(f"{live_server.url}/admin/semantic_search/duplicategroup/")
        page.get_by_role("link", name=str(group)).click()
        cards = page.locator(".photodesk-dupe")
        assert cards.count() == 3
        first = cards.nth(0)
        assert first.get_attribute("data-image") == str(original.pk)  # most pixels first
        assert "640 × 426 px" in first.locator(".photodesk-size").inner_text()
        second = page.locator(f'.photodesk-dupe[data-image="{small.pk}"]')
        assert "320 × 213 px" in second.inner_text()
        assert "Jo Banda / Agency" in second.inner_text()
        assert "Editorial use only" in second.inner_text()
        assert first.locator("input[name=keep]").is_checked()
        page.wait_for_function(
            "[...document.querySelectorAll('.photodesk-dupe img')]"
            ".every(i => i.complete && i.naturalWidth)"
        )
        page.locator("#content").screenshot(path=str(DOCS / "duplicates-review.png"))
        page.get_by_role("button", name="Merge into the chosen one, delete the others").click()
        page.wait_for_selector("ul.messagelist")
        assert "delete the others" in page.inner_text("ul.messagelist")
    except Exception:
        save_screenshot(page, request)
        raise

    original.refresh_from_db()
    assert original.caption.startswith("A bed under a mosquito net")
    assert original.credit == "Jo Banda / Agency"  # the longest credit of the copies
    assert original.rights == "restricted"  # rights are the kept image's own
    assert not Image.objects.filter(pk__in=[small.pk, marked.pk]).exists()
    group.refresh_from_db()
    assert (group.status, group.kept_id) == ("resolved", original.pk)
