"""The "Suggested images" panel in Wagtail's page editor, in a real browser (Playwright on
Debian's Chromium): a journalist writes about a car maker in Draftail, sees vehicle photos with
their reasons, makes one the lead image through Wagtail's image chooser, inserts another into
the body as a Draftail image, and publishes; the published page has them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import PASSWORD, save_screenshot
from tests.wagtail_site.conftest import VEHICLES

DOCS = Path(__file__).resolve().parents[2] / "docs"
TITLE = "Tech chief tours the car maker's new plant"
# No word in common with the photos' titles or captions.
BODY = (
    "The chief executive of a software giant spent Tuesday at the carmaker's headquarters, "
    "driving prototypes around the test track before meeting the engineers who build its "
    "electric models."
)


def tall_screenshot(page, scroll_to, name: str, height: int = 1500, target=None) -> None:
    """Wagtail's editor scrolls inside its own pane: a tall window shows the whole form.
    Screenshot of `target` (else the page) with `scroll_to` in view, then the usual window."""
    page.set_viewport_size({"width": 1366, "height": height})
    scroll_to.scroll_into_view_if_needed()
    DOCS.mkdir(exist_ok=True)
    (target or page).screenshot(path=str(DOCS / name))
    page.set_viewport_size({"width": 1366, "height": 680})


def new_article(page, base_url: str, home):
    """A writer's new article page in Wagtail's editor; its Suggested images panel."""
    wagtail_log_in(page, base_url, "writer")
    page.goto(f"{base_url}/admin/pages/add/wagtail_site/articlepage/{home.pk}/")
    return page.locator("#pd-suggest")


def publish(page) -> None:
    """Publish from the editor's footer menu, and see Wagtail say so."""
    from playwright.sync_api import expect

    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.locator("button[name=action-publish]").click()
    expect(page.locator(".messages")).to_contain_text("published")


def wagtail_log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.browser
def test_a_journalist_picks_a_lead_image_in_the_wagtail_editor(
    live_server, archive, home, page_1366, django_user_model, request
):
    from playwright.sync_api import expect

    from tests.wagtail_site.models import ArticlePage

    django_user_model.objects.create_superuser("writer", "w@example.com", PASSWORD)
    vehicle_ids = {archive[name] for name in VEHICLES}
    page = page_1366
    page.set_default_timeout(30_000)  # the first suggestion loads the text model
    try:
        panel = new_article(page, live_server.url, home)
        status = panel.locator(".pd-status")
        expect(status).to_have_text("Write a title or some text to see suggestions.")

        page.fill("#id_title", TITLE)
        editor = page.locator("[data-contentpath=body] [contenteditable=true]")
        editor.click()
        page.keyboard.type(BODY, delay=5)
        expect(status).to_have_text(
            re.compile(r"^\d+ suggestions? for the text as it is now"), timeout=60_000
        )
        # The answer to the whole text, not to a prefix typed before a pause: an answer still
        # to come would replace the cards under the clicks below (the lead image's card gone,
        # the others moved up), so another image would end up in the body.
        page.wait_for_function(
            """words => {
                const p = document.querySelector("#pd-suggest").photodeskPanel;
                return p.bodyText().includes(words) && p.lastAsked === p.articleText()
                    && /suggestions? for the text as it is now/.test(p.status.textContent);
            }""",
            arg=BODY[-20:],
            timeout=60_000,
        )
        expect(panel.locator(".pd-card").first).to_be_visible()
        cards = panel.locator(".pd-card")
        shown = [int(i) for i in cards.evaluate_all("cs => cs.map(c => c.dataset.imageId)")]
        vehicles = [i for i in shown if i in vehicle_ids]
        assert len(vehicles) >= 2, f"vehicles {vehicle_ids} not among {shown}"
        lead = panel.locator(f'.pd-card[data-image-id="{vehicles[0]}"]')
        assert lead.locator(".pd-reasons li").count() >= 1  # it says why
        # The card shows the image as the lead image's crop (16:9 by default).
        expect(lead.locator("img")).to_have_attribute("src", re.compile(r"/\d+/16x9/\?size=320$"))
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=lead.locator("img").element_handle()
        )
        natural = lead.locator("img").evaluate("i => i.naturalWidth / i.naturalHeight")
        assert abs(natural - 16 / 9) < 0.05

        lead.get_by_role("button", name="Use as lead image").click()
        expect(page.locator("#id_lead_image")).to_have_value(str(vehicles[0]))
        chooser = page.locator("#id_lead_image-chooser")
        expect(chooser).not_to_have_class(re.compile(r"\bblank\b"))
        expect(chooser.locator("[data-chooser-title]")).to_have_text(
            lead.locator(".pd-title").inner_text()
        )
        other = panel.locator(f'.pd-card[data-image-id="{vehicles[1]}"]')
        other.get_by_role("button", name="Insert into body").click()
        expect(page.locator("[data-contentpath=body] .Draftail-Editor img")).to_have_count(1)
        # The form's field, not only the editor on screen, holds the image before the page is saved.
        expect(page.locator("#id_body")).to_have_value(
            re.compile(rf'"type": ?"IMAGE".*"id": ?{vehicles[1]}\b')
        )
        tall_screenshot(page, page.locator("#id_title"), "wagtail-suggested-images.png")

        publish(page)
    except Exception:
        save_screenshot(page, request)
        raise

    article = ArticlePage.objects.get(title=TITLE)
    assert article.live
    assert article.lead_image_id == vehicles[0]
    assert '<embed embedtype="image"' in article.body and f'id="{vehicles[1]}"' in article.body
    assert "electric models" in article.body


@pytest.mark.browser
def test_an_editor_sees_the_analysis_on_wagtails_image_page_and_reaches_the_review_queue(
    live_server, archive, page_1366, django_user_model, request
):
    from playwright.sync_api import expect

    from photodesk.models import ImageLabel

    django_user_model.objects.create_superuser("editor", "e@example.com", PASSWORD)
    image_id = archive["food_coffee_cup.jpg"]
    tags = ImageLabel.objects.visible().filter(image_id=image_id)
    names = sorted(tags.values_list("label__name", flat=True))
    page = page_1366
    try:
        wagtail_log_in(page, live_server.url, "editor")
        page.goto(f"{live_server.url}/admin/images/{image_id}/")
        section = page.locator("#photodesk-analysis")
        expect(section.locator(".photodesk-status")).to_have_text("Done")
        for name in names:
            tag = section.locator(".pd-tag", has_text=re.compile(rf"^\s*{re.escape(name)}\s+\d"))
            expect(tag).to_be_visible()
        # The same tags in Wagtail's own tag field (WAGTAIL_TAG_LABELS = "visible").
        in_tag_field = page.locator("#id_tags").input_value()
        assert all(name in in_tag_field for name in names), in_tag_field
        tall_screenshot(page, section, "wagtail-image-analysis.png", height=1400)

        page.get_by_role("button", name="Photodesk").click()
        page.get_by_role("link", name="Label review queue").click()
        expect(page).to_have_url(re.compile(r"/django-admin/semantic_search/reviewitem/"))
    except Exception:
        save_screenshot(page, request)
        raise


@pytest.mark.browser
def test_a_burst_shows_once_in_the_wagtail_panel_and_opens_its_other_frames(
    committed_db, live_server, home, page_1366, django_user_model, request, settings, tmp_path
):
    from playwright.sync_api import expect

    from photodesk.models import ImageAnalysis, Series
    from tests.wagtail_site.test_panel import temple_burst

    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    ids = temple_burst(tmp_path)
    series = Series.objects.get(members__image_id=ids[0])
    text = ImageAnalysis.objects.get(image_id=ids[0]).description
    django_user_model.objects.create_superuser("writer", "w@example.com", PASSWORD)
    page = page_1366
    page.set_default_timeout(30_000)
    try:
        panel = new_article(page, live_server.url, home)
        status = panel.locator(".pd-status")
        expect(status).to_have_text("Write a title or some text to see suggestions.")
        page.fill("#id_title", "Temple at dawn")
        page.locator("[data-contentpath=body] [contenteditable=true]").click()
        page.keyboard.type(text, delay=2)
        stand_in = panel.locator(f'.pd-card[data-image-id="{series.best_id}"]')
        expect(stand_in).to_have_count(1, timeout=60_000)
        shown = {
            int(i)
            for i in panel.locator(".pd-card").evaluate_all("cs => cs.map(c => c.dataset.imageId)")
        }
        assert shown & set(ids) == {series.best_id}
        more = stand_in.locator("button.pd-frames")
        expect(more).to_have_text("+2 similar")
        more.click()
        opened = panel.locator(f'.pd-frame-card[data-series-of="{series.best_id}"]')
        expect(opened).to_have_count(2)
        expect(more).to_have_attribute("aria-expanded", "true")
        assert {int(i) for i in opened.evaluate_all("cs => cs.map(c => c.dataset.imageId)")} == set(
            ids
        ) - {series.best_id}
        # A frame's card works like any other: it can become the lead image.
        opened.first.get_by_role("button", name="Use as lead image").click()
        expect(page.locator("#id_lead_image")).to_have_value(
            opened.first.get_attribute("data-image-id")
        )
        more.click()
        expect(opened).to_have_count(0)
        expect(more).to_have_text("+2 similar")
    except Exception:
        save_screenshot(page, request)
        raise


@pytest.mark.browser
def test_a_video_shot_in_the_wagtail_panel_becomes_the_lead_image(
    live_server, archive, home, page_1366, django_user_model, request, settings, tmp_path
):
    """Suggestions hold a matching video shot: its card opens the video's timeline at the
    shot, and "Use as lead image" makes its frame an archive image chosen as the lead."""
    pytest.importorskip("av")
    from playwright.sync_api import expect

    from photodesk import indexing
    from photodesk.models import ImageAnalysis, VideoStill
    from tests.video_fixtures import COFFEE_SHOT, save_cafe_video
    from tests.wagtail_site.models import ArticlePage, Video

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_PATH": tmp_path / "index",
        "BORROW_WORDS": False,
    }
    # The session's photos in this test's index, so the shot is ranked among them.
    for image_analysis in ImageAnalysis.objects.indexable().select_related("image"):
        indexing.index_image(image_analysis.image, image_analysis)
    video = Video(title="Harbour café")
    save_cafe_video(video, tmp_path)
    coffee_start, coffee_end = COFFEE_SHOT
    django_user_model.objects.create_superuser("writer", "w@example.com", PASSWORD)
    page = page_1366
    page.set_default_timeout(30_000)  # the first suggestions load the text model
    try:
        panel = new_article(page, live_server.url, home)
        page.fill("#id_title", "Cafés count their espresso cups")
        page.locator("[data-contentpath=body] [contenteditable=true]").click()
        page.keyboard.type("A cup of coffee on a saucer in the old town café.", delay=2)
        shot = panel.locator(".pd-video-card").first
        expect(shot).to_be_visible(timeout=60_000)
        expect(panel.locator(".pd-status")).to_contain_text("video shot")
        expect(shot.locator(".pd-range")).to_contain_text("Shot 00:0")
        href = shot.locator("a.pd-title").get_attribute("href")
        assert f"/django-admin/wagtail_site/video/{video.pk}/change/#t=" in href
        assert coffee_start - 0.5 <= float(href.rsplit("#t=", 1)[1]) < coffee_end
        # After the three best photos, as in the admin's panel.
        expect(panel.locator(".pd-cards > li").nth(3)).to_have_class(re.compile("pd-video-card"))
        tall_screenshot(page, panel, "wagtail-video-shot.png", target=panel)

        shot.get_by_role("button", name="Use as lead image").click()
        expect(panel.locator(".pd-status")).to_contain_text("and the lead image")
        still = VideoStill.objects.get(video_id=video.pk)
        assert coffee_start <= still.time <= coffee_end  # the frame that matched
        expect(page.locator("#id_lead_image")).to_have_value(str(still.image_id))
        expect(page.locator("#id_lead_image-chooser")).not_to_have_class(re.compile(r"\bblank\b"))

        publish(page)
    except Exception:
        save_screenshot(page, request)
        raise
    article = ArticlePage.objects.get(title="Cafés count their espresso cups")
    assert article.lead_image_id == still.image_id
    assert article.lead_image.title.startswith("Harbour café at 00:0")
