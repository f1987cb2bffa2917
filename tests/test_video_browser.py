"""The video page in the admin, in a real browser: the timeline shows the shots, the people
and the labels along the video, and a bar plays the video from its start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files import File

from .browser import PASSWORD, log_in, save_screenshot
from .video_fixtures import (
    COFFEE_SHOT,
    SHOTS,
    make_video,
    name_person_from_still,
    save_cafe_video,
    shot_times,
)

pytest.importorskip("av")

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.browser
def test_the_video_page_shows_the_timeline_and_a_label_bar_plays_from_its_start(
    live_server, browser_page, django_user_model, request, tmp_path, settings
):
    from photodesk import tasks
    from photodesk.host import get_video_model

    # No words lent: the neighbour indexes saved on disk outlive the test's database.
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_PATH": tmp_path / "index",
        "BORROW_WORDS": False,
    }
    django_user_model.objects.create_superuser("editor", "e@example.com", PASSWORD)
    name_person_from_still("Eileen Collins")
    video = get_video_model()(title="Evening news", credit="Newsroom")
    with make_video(tmp_path / "clip.webm", container="webm").open("rb") as fh:
        video.file.save("clip.webm", File(fh), save=True)
    analysis = tasks.analyze_video_now(video)
    assert analysis.status == "done", analysis.error
    # A label of the coffee cup's shot (the third): a bar that starts part-way.
    coffee_start = shot_times()[2][0]
    label = (
        analysis.labels.filter(start__gt=coffee_start - 1, start__lt=coffee_start + 1)
        .order_by("-confidence")
        .first()
    )
    assert label is not None

    page = browser_page
    try:
        log_in(page, live_server.url, "editor")
        page.goto(f"{live_server.url}/admin/cms_images/video/{video.pk}/change/")
        timeline = page.locator(".pd-timeline")
        assert timeline.locator(".pd-shot").count() == len(SHOTS)
        assert timeline.locator(".pd-text", has_text="HARBOUR").count() == 1
        person = timeline.locator(".pd-people", has=page.locator(".pd-name", has_text="Collins"))
        assert person.locator(".pd-person").count() == 2
        page.click("#toggle-nav-sidebar")
        DOCS.mkdir(exist_ok=True)
        page.locator(".pd-video").screenshot(path=str(DOCS / "video-timeline.png"))

        row = timeline.locator(".pd-labels", has=page.locator(".pd-name", has_text=label.name))
        bar = row.locator(f".pd-label[data-start='{round(label.start, 2):g}']")
        start = float(bar.get_attribute("data-start"))
        bar.click()
        player = page.locator("video.pd-player")
        assert player.evaluate("v => v.src").endswith(f"#t={start:g}")
        # The browser seeks to the fragment's time once the metadata is in.
        page.wait_for_function("v => v.readyState >= 1", arg=player.element_handle())
        assert abs(player.evaluate("v => v.currentTime") - start) < 0.5
        assert "Playing from" in page.inner_text(".pd-now")
    except Exception:
        save_screenshot(page, request)
        raise


@pytest.mark.browser
def test_the_suggest_panel_offers_a_video_frame_as_a_still(
    live_server, page_1366, django_user_model, request, tmp_path, settings
):
    from playwright.sync_api import expect

    from photodesk.host import get_image_model, get_video_model
    from photodesk.models import VideoStill

    # No words lent: the neighbour indexes saved on disk outlive the test's database.
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_PATH": tmp_path / "index",
        "BORROW_WORDS": False,
    }
    django_user_model.objects.create_superuser("writer", "w@example.com", PASSWORD)
    video = get_video_model()(title="Café report")
    save_cafe_video(video, tmp_path)
    coffee_start, coffee_end = COFFEE_SHOT

    page = page_1366
    page.set_default_timeout(30_000)  # the first search loads the text model
    try:
        log_in(page, live_server.url, "writer")
        page.goto(f"{live_server.url}/admin/cms_images/article/add/")
        panel = page.locator("#pd-suggest")
        page.fill("#pd-search-input", "a cup of coffee")
        page.press("#pd-search-input", "Enter")
        moment = panel.locator(".pd-video-card").first
        expect(moment).to_be_visible()
        expect(moment.locator(".pd-moment")).to_contain_text("Video, at 00:0")
        DOCS.mkdir(exist_ok=True)
        panel.screenshot(path=str(DOCS / "video-still-in-panel.png"))
        moment.get_by_role("button", name="Use this frame as a still").click()
        expect(panel.locator(".pd-status")).to_contain_text("is now image")
        still = VideoStill.objects.get(video_id=video.pk)
        assert coffee_start <= still.time <= coffee_end  # the frame that matched
        image = get_image_model().objects.get(pk=still.image_id)
        assert image.title.startswith("Café report at 00:0")
        card = panel.locator(f".pd-card[data-image-id='{image.pk}']")
        expect(card.get_by_role("button", name="Use as lead image")).to_be_visible()
        card.get_by_role("button", name="Use as lead image").click()
        expect(page.locator("#id_lead_image")).to_have_value(str(image.pk))
    except Exception:
        save_screenshot(page, request)
        raise


@pytest.mark.browser
def test_suggestions_offer_a_video_shot_whose_frame_becomes_the_lead_image(
    live_server, archive, page_1366, django_user_model, request, tmp_path, settings
):
    from playwright.sync_api import expect

    from photodesk import indexing
    from photodesk.host import get_video_model
    from photodesk.models import ImageAnalysis, VideoStill

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "INDEX_PATH": tmp_path / "index",
        "BORROW_WORDS": False,
    }
    # The demo photos in this test's index: the shot is shown after the photos.
    for image_analysis in ImageAnalysis.objects.indexable().select_related("image"):
        indexing.index_image(image_analysis.image, image_analysis)
    django_user_model.objects.create_superuser("writer", "w@example.com", PASSWORD)
    video = get_video_model()(title="Harbour café")
    save_cafe_video(video, tmp_path)
    coffee_start, coffee_end = COFFEE_SHOT

    page = page_1366
    page.set_default_timeout(30_000)  # the first suggestions load the text model
    try:
        log_in(page, live_server.url, "writer")
        page.goto(f"{live_server.url}/admin/cms_images/article/add/")
        page.fill("#id_title", "Cafés count their espresso cups")
        page.fill("#id_body", "A cup of coffee on a saucer in the old town café this morning.")
        panel = page.locator("#pd-suggest")
        shot = panel.locator(".pd-video-card").first
        expect(shot).to_be_visible()
        expect(panel.locator(".pd-status")).to_contain_text("video shot")
        # After the three best photos: seen without scrolling past every photo.
        expect(panel.locator(".pd-results > li").nth(3)).to_have_class(re.compile("pd-video-card"))
        expect(shot.locator(".pd-range")).to_contain_text("Shot 00:0")
        timeline = shot.get_by_role("link", name="Open in the timeline")
        href = timeline.get_attribute("href")
        assert f"/admin/cms_images/video/{video.pk}/change/#t=" in href
        at = float(href.rsplit("#t=", 1)[1])
        assert coffee_start - 0.5 <= at < coffee_end
        shot.scroll_into_view_if_needed()
        DOCS.mkdir(exist_ok=True)
        panel.screenshot(path=str(DOCS / "video-shot-in-suggestions.png"))

        # The link opens the video page playing from the shot, the shot marked.
        with page.context.expect_page() as opened:
            timeline.click()
        video_page = opened.value
        expect(video_page.locator(".pd-shot.pd-active")).to_have_count(1)
        player = video_page.locator("video.pd-player")
        assert player.evaluate("v => v.src").endswith(f"#t={at:g}")
        expect(video_page.locator(".pd-now")).to_contain_text("From Shot")
        video_page.close()

        shot.get_by_role("button", name="Use as lead image").click()
        expect(panel.locator(".pd-status")).to_contain_text("is the lead image")
        still = VideoStill.objects.get(video_id=video.pk)
        assert coffee_start <= still.time <= coffee_end
        expect(page.locator("#id_lead_image")).to_have_value(str(still.image_id))
        card = panel.locator(f".pd-card[data-image-id='{still.image_id}']")
        expect(card.get_by_role("button", name="Lead image ✓")).to_be_visible()
    except Exception:
        save_screenshot(page, request)
        raise
