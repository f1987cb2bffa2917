"""The crops editor in a real browser: dragging the focal region moves every ratio's crop
(live preview), and once saved the renditions are cut around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from photodesk.crops.geometry import Box
from photodesk.models import FocalRegion

from .browser import log_in, save_screenshot

DOCS = Path(__file__).resolve().parent.parent / "docs"


def boxes(page) -> dict[str, Box]:
    return {
        figure.get_attribute("data-crop"): Box.of(
            [int(v) for v in figure.get_attribute("data-box").split(",")]
        )
        for figure in page.locator("[data-crop]").all()
    }


def region_box(page) -> Box:
    """The focal region the form would save."""
    return Box.of(
        [int(page.input_value(f"[data-field={n}]")) for n in ("x", "y", "width", "height")]
    )


@pytest.mark.browser
def test_dragging_the_focal_region_moves_the_crops_and_saving_cuts_the_renditions(
    archive, live_server, browser_page, django_user_model, request
):
    django_user_model.objects.create_superuser("chief", "c@example.com", "secret-pw")
    image_id = archive["animal_cat_chelsea.jpg"]
    region = FocalRegion.objects.get(image_id=image_id)
    width = region.image_width
    page = browser_page
    try:
        log_in(page, live_server.url, "chief")
        page.goto(live_server.url + reverse("admin:semantic_search_crops", args=[image_id]))
        picture = page.locator("[data-picture]")
        picture.wait_for()
        page.wait_for_function("document.querySelector('[data-picture]').complete")
        before = boxes(page)
        assert set(before) == {"16:9", "4:3", "1:1", "4:5", "9:16"}

        # Drag the region's middle to the picture's left edge.
        focal = page.locator("[data-focal]").bounding_box()
        shown = picture.bounding_box()
        start = (focal["x"] + focal["width"] / 2, focal["y"] + focal["height"] / 2)
        page.mouse.move(*start)
        page.mouse.down()
        for step in range(1, 11):
            x = start[0] + (shown["x"] - start[0]) * step / 10
            page.mouse.move(x, start[1])
        page.mouse.up()
        # Then make it smaller by its corner handle: about 100 image pixels wide.
        scale = shown["width"] / width
        corner = page.locator("[data-handle]").bounding_box()
        grip = (corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2)
        now = region_box(page)
        dx, dy = (now.w - 100) * scale, (now.h - now.h * 100 / now.w) * scale
        page.mouse.move(*grip)
        page.mouse.down()
        for step in range(1, 6):
            page.mouse.move(grip[0] - dx * step / 5, grip[1] - dy * step / 5)
        page.mouse.up()
        dragged = region_box(page)
        assert dragged.x == 0 and 90 <= dragged.w <= 110  # held at the edge, smaller
        page.wait_for_function(
            "d => document.querySelector('[data-crops-editor]').dataset.previewFor === d",
            arg=",".join(str(v) for v in dragged.rounded()),
        )
        live = boxes(page)
        for ratio, crop in live.items():
            assert crop.contains(dragged), ratio
        assert live["9:16"].x < before["9:16"].x
        assert page.locator('[data-crop="9:16"] [data-unsaved]').is_visible()
        page.locator("[data-crops-editor]").screenshot(path=str(DOCS / "crops-editor.png"))

        page.get_by_role("button", name="Save focal region").click()
        page.wait_for_selector("ul.messagelist")
        saved = FocalRegion.objects.get(image_id=image_id)
        assert saved.source == "edited" and saved.edited_by.username == "chief"
        assert Box.of(saved.box).rounded() == dragged.rounded()
        # The renditions are the server's crops around the new region.
        assert boxes(page)["9:16"].rounded() == live["9:16"].rounded()
        page.wait_for_function(
            "[...document.querySelectorAll('[data-rendition]')].every(i => i.naturalWidth > 0)"
        )
        rendition = page.locator('[data-crop="9:16"] [data-rendition]')
        natural = rendition.evaluate("i => [i.naturalWidth, i.naturalHeight]")
        assert natural[0] / natural[1] == pytest.approx(9 / 16, rel=0.02)
        assert width > live["9:16"].w  # a real crop, not the whole picture
    except Exception:
        save_screenshot(page, request)
        raise
