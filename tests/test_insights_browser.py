"""The insights dashboard and the map of the archive in a real browser (Playwright on Debian's
Chromium), on the analysed demo archive: a click on a bar lands on the image list it counts,
the map shows a photo on hover and lists a lassoed region. Screenshots go to docs/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from .browser import log_in, save_screenshot

DOCS = Path(__file__).resolve().parent.parent / "docs"

LARGEST_BAR = """() => {
  const el = document.querySelector('[data-chart="labels"]');
  el.scrollIntoView({block: "center"});
  const chart = echarts.getInstanceByDom(el);
  const data = chart.getOption().series[0].data;
  const i = data.length - 1;  // the largest bar is drawn on top
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [data[i].value / 2, i]);
  const box = el.getBoundingClientRect();
  const label = chart.getOption().yAxis[0].data[i];
  return {x: box.left + x, y: box.top + y, value: data[i].value, label: label};
}"""

A_POINT = """() => {
  const chart = window.photodeskMap;
  const series = chart.getOption().series[0];
  const p = series.data[0];
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [p[0], p[1]]);
  const box = document.querySelector('[data-map]').getBoundingClientRect();
  return {x: box.left + x, y: box.top + y, title: p[4], id: p[2]};
}"""


BRUSH_LEFT_HALF = """() => window.photodeskMap.dispatchAction({type: 'brush', areas: [
  {brushType: 'rect', xAxisIndex: 0, yAxisIndex: 0, coordRange: [[-5, 50], [-5, 105]]}]})"""


WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter((e) => e.getBoundingClientRect().right > 1400)
  .slice(0, 5).map((e) => e.tagName + '.' + e.className + '#' + e.id)"""


def spread_over_weeks() -> None:
    """The demo photos were all added today: spread them over the last ten weeks, with each
    rights value, so the charts look like an archive's (the test's changes are undone)."""
    from cms_images.models import Image

    rights = ["editorial", "unrestricted", "editorial", "restricted"]
    now = timezone.now()
    for i, pk in enumerate(Image.objects.order_by("pk").values_list("pk", flat=True)):
        Image.objects.filter(pk=pk).update(
            created=now - dt.timedelta(days=(i * 37) % 70, hours=i % 5), rights=rights[i % 4]
        )


@pytest.mark.browser
def test_dashboard_bar_opens_the_image_list_and_the_map_shows_the_archive(
    demo_archive, live_server, browser_page, django_user_model, request
):
    from photodesk.insights.projection import compute_map

    django_user_model.objects.create_superuser("chief", "c@example.com", "secret-pw")
    spread_over_weeks()
    archive_map = compute_map()
    assert archive_map.images == len(demo_archive)
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 900})
    try:
        log_in(page, live_server.url, "chief")
        # Linked from the admin index.
        page.click("text=Insights dashboard")
        page.wait_for_selector("body[data-insights-ready]")
        for name in ("states", "ingest", "labels", "over_time", "backlog", "people"):
            assert page.locator(f'[data-chart="{name}"][data-ready]').count() == 1, name
        # The page fits the window: no chart runs off to the side.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400, page.evaluate(WIDE)
        page.screenshot(path=str(DOCS / "insights-dashboard.png"), full_page=True)

        bar = page.evaluate(LARGEST_BAR)
        page.mouse.click(bar["x"], bar["y"])
        page.wait_for_url("**/cms_images/image/?*pd_label=*")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == bar["value"], bar
        assert bar["label"] in page.inner_text("#changelist-filter")

        page.goto(f"{live_server.url}/admin/semantic_search/archivemap/")
        page.wait_for_selector("[data-map][data-ready]")
        # Hover: the photo, its title and labels; a click opens it.
        point = page.evaluate(A_POINT)
        page.mouse.move(point["x"], point["y"])
        assert page.wait_for_selector(".photodesk-map-tip img").is_visible()
        assert point["title"] in page.inner_text(".photodesk-map-tip")
        page.mouse.click(point["x"], point["y"])
        page.wait_for_url(f"**/cms_images/image/{point['id']}/change/")
        page.go_back()
        page.wait_for_selector("[data-map][data-ready]")
        # The lasso's result: a region (here the left half) listed beside the map.
        page.evaluate(BRUSH_LEFT_HALF)
        page.wait_for_selector("[data-selection] li")
        listed = page.locator("[data-selection] li").count()
        assert 0 < listed < len(demo_archive)
        assert f"{listed} image" in page.inner_text("[data-selection-count]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400, page.evaluate(WIDE)
        page.screenshot(path=str(DOCS / "insights-map.png"), full_page=True)
    except Exception:
        save_screenshot(page, request)
        raise
