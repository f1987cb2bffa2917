"""The insights charts on rows of known shape: counts, the date and rights filters, the image
lists the charts link to, who may see them (admin pages and API), the map of the archive."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse

from photodesk.insights import queries
from photodesk.insights.filters import BadFilter, Filters
from photodesk.models import ImageAnalysis

from .api_support import *  # noqa: F403
from .insights_support import *  # noqa: F403

# The rows of small_archive were added before March 2026; the session's demo photos (added
# when the session started) are outside this window, so the counts are this module's alone.
ALL = Filters(end=dt.date(2026, 2, 28))
JANUARY_EDITORIAL = Filters(dt.date(2026, 1, 1), dt.date(2026, 1, 31), ("editorial",))
DASHBOARD = "admin:semantic_search_insightsdashboard_changelist"
MAP = "admin:semantic_search_archivemap_changelist"


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row["images"] for row in rows}


def test_charts_count_the_whole_archive(small_archive):
    states = queries.analysis_states(ALL)
    assert states["total"] == 7
    assert by(states["states"], "state") == {"pending": 1, "running": 1, "done": 4, "failed": 1}
    # Rejected and to-review labels are not "on" an image; the backlog counts the latter.
    assert by(queries.top_labels(ALL), "label") == {"fire": 4, "flood": 1, "smoke": 1}
    assert by(queries.review_backlog(ALL), "label") == {"flood": 2}
    assert by(queries.people_most_shown(ALL), "person") == {"Ann Lee": 3, "Bo Park": 1}
    flagged = queries.flagged_images(ALL)
    assert flagged["total"] == 2
    assert [row["title"] for row in flagged["images"]] == ["Fire in the docks", "Crowd"]
    assert by(queries.ingest_per_day(ALL), "day") == {
        "2025-06-01": 1,
        "2026-01-05": 1,
        "2026-01-06": 1,
        "2026-01-14": 1,
        "2026-02-02": 1,
        "2026-02-03": 2,
    }


def test_labels_over_time_counts_per_week_for_the_chosen_labels(small_archive):
    fire = queries.top_labels(ALL)[0]["label_id"]
    chart = queries.labels_over_time(ALL, [fire])
    # Weeks start on Monday: 2025-06-01 was a Sunday.
    assert chart["weeks"] == ["2025-05-26", "2026-01-05", "2026-01-12"]
    assert chart["series"] == [{"label_id": fire, "label": "fire", "images": [1, 2, 1]}]
    assert queries.labels_over_time(ALL, []) == {"weeks": [], "series": []}


def test_every_chart_filters_by_days_added_and_rights(small_archive):
    f = JANUARY_EDITORIAL
    assert queries.analysis_states(f)["total"] == 2
    assert by(queries.top_labels(f), "label") == {"fire": 2, "smoke": 1}
    assert queries.review_backlog(f) == []
    assert by(queries.people_most_shown(f), "person") == {"Ann Lee": 2}
    assert queries.flagged_images(f)["total"] == 1
    assert by(queries.ingest_per_day(f), "day") == {"2026-01-05": 1, "2026-01-06": 1}
    unrestricted = Filters(end=ALL.end, rights=("unrestricted",))
    assert by(queries.top_labels(unrestricted), "label") == {"fire": 1, "flood": 1}
    assert by(queries.review_backlog(unrestricted), "label") == {"flood": 1}
    # The last day is included, whatever the hour.
    assert queries.analysis_states(Filters(end=dt.date(2026, 2, 3)))["total"] == 7
    assert queries.analysis_states(Filters(dt.date(2026, 2, 3), ALL.end))["total"] == 2


def test_unreadable_filters_are_refused_with_the_reason():
    with pytest.raises(BadFilter, match="YYYY-MM-DD"):
        Filters.from_params({"pd_added": "last tuesday"})
    with pytest.raises(BadFilter, match="after the last day"):
        Filters.from_params({"pd_added": "2026-02-01..2026-01-01"})
    with pytest.raises(BadFilter, match="unknown rights nope"):
        Filters.from_params({"pd_rights": "editorial,nope"})
    assert Filters.from_params({"pd_added": "2026-01-01..", "pd_rights": "forbidden"}) == Filters(
        dt.date(2026, 1, 1), None, ("forbidden",)
    )


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def test_each_bar_links_to_a_list_of_as_many_images(small_archive, staff_client):
    from photodesk.admin.insights import chart_data

    for filters in (ALL, JANUARY_EDITORIAL, Filters(end=ALL.end, rights=("unrestricted",))):
        charts = chart_data(filters, [])
        links = [
            *[(row["url"], row["images"]) for row in charts["states"]["states"]],
            *[(row["url"], row["images"]) for row in charts["ingest"]],
            *[(row["url"], row["images"]) for row in charts["labels"]],
            *[(row["url"], row["images"]) for row in charts["backlog"]],
            *[(row["url"], row["images"]) for row in charts["people"]],
            (charts["flagged"]["url"], charts["flagged"]["total"]),
            (charts["states"]["url"], charts["states"]["total"]),
        ]
        for series in charts["over_time"]["series"]:
            links += list(zip(series["urls"], series["images"], strict=True))
        assert links
        for url, count in links:
            assert listed(staff_client, url) == count, url
    failed = next(r for r in chart_data(ALL, [])["states"]["states"] if r["state"] == "failed")
    assert failed["url"].startswith(reverse("admin:semantic_search_imageanalysis_changelist"))


def test_the_dashboard_shows_every_chart_and_keeps_the_filters(small_archive, staff_client):
    url = reverse(DASHBOARD)
    response = staff_client.get(
        url, {"from": "2026-01-01", "to": "2026-01-31", "right": "editorial"}
    )
    assert response.status_code == 200
    charts = response.context["charts"]
    assert charts["states"]["total"] == 2
    page = response.content.decode()
    for title in (
        "Images by analysis state",
        "Images added per day",
        "Most common labels",
        "tag cloud",
        "Labels over time",
        "Review backlog",
        "People most shown",
        "Flagged by the safety check",
    ):
        assert title in page
    assert "vendor/echarts/echarts.min.js" in page
    # A bad date is said, and the whole archive shown.
    response = staff_client.get(url, {"pd_added": "soon"}, follow=True)
    assert "YYYY-MM-DD" in response.content.decode()
    assert response.context["charts"]["states"]["total"] == ImageAnalysis.objects.count()
    # Linked from the admin index.
    assert url in staff_client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    "who, allowed", [("journalist", False), ("nobody", False), ("reviewer", True), ("admin", True)]
)
def test_who_may_view_insights(small_archive, role_users, client, api, who, allowed):
    role_users[who].is_staff = True  # people of the newsroom use the admin
    role_users[who].save()
    client.force_login(role_users[who])
    for name in (DASHBOARD, MAP):
        response = client.get(reverse(name))
        assert response.status_code == (200 if allowed else 403), (who, name)
    index = client.get(reverse("admin:index")).content.decode()
    assert (reverse(DASHBOARD) in index) is allowed
    for endpoint in (
        "states",
        "ingest",
        "labels",
        "labels-over-time",
        "backlog",
        "people",
        "flagged",
        "map",
    ):
        response = api(who).get(reverse(f"photodesk-api:insights-{endpoint}"))
        assert response.status_code == (200 if allowed else 403), (who, endpoint)
    assert api("anonymous").get(reverse("photodesk-api:insights-states")).status_code == 401


def test_the_api_answers_what_the_charts_show(small_archive, api):
    client = api("reviewer")
    answer = client.get(
        reverse("photodesk-api:insights-labels"),
        {"added": "2026-01-01..2026-01-31", "rights": "editorial"},
    ).json()
    assert by(answer, "label") == {"fire": 2, "smoke": 1}
    window = {"added": "..2026-02-28"}
    answer = client.get(reverse("photodesk-api:insights-states"), window).json()
    assert answer["total"] == 7
    people = client.get(reverse("photodesk-api:insights-people"), {**window, "limit": 1}).json()
    assert [(row["person"], row["images"]) for row in people] == [("Ann Lee", 3)]
    over_time = client.get(reverse("photodesk-api:insights-labels-over-time"), window).json()
    assert [s["label"] for s in over_time["series"]] == ["fire", "flood", "smoke"]
    bad = client.get(reverse("photodesk-api:insights-ingest"), {"added": "yesterday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["filters"]
    assert client.get(reverse("photodesk-api:insights-labels"), {"limit": 0}).status_code == 400
    schema = client.get(reverse("photodesk-docs:schema"))
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/insights/states/", "/insights/labels-over-time/", "/insights/map/"):
        assert path in text


def test_the_map_reads_vectors_in_chunks_and_leaves_off_other_models(small_archive, monkeypatch):
    """The task never holds the archive's vectors at full size: it reads them a chunk at a time
    (two here), fits on a sample and places the rest; a vector of another model's size is not
    on the map, and an archive without vectors gets an empty one."""
    from photodesk.insights import projection

    ImageAnalysis.objects.exclude(image_id__in=small_archive.values()).update(
        visual_embedding=None, embedding=None
    )
    monkeypatch.setattr(projection, "CHUNK", 2)
    other_model = small_archive["Flooded street"]
    ImageAnalysis.objects.filter(image_id=other_model).update(
        visual_embedding=np.ones(8, dtype=np.float32).tobytes()
    )
    archive_map = projection.compute_map(fit_sample=2)
    on_map = {p[0] for p in archive_map.points}
    assert archive_map.images == 3 and archive_map.fitted_on == 2
    assert other_model not in on_map
    assert on_map == set(small_archive.values()) & set(
        ImageAnalysis.objects.done()
        .exclude(image_id=other_model)
        .values_list("image_id", flat=True)
    )
    fire = [p for p in archive_map.points]
    assert all(0 - 5 <= p[1] <= 105 and -5 <= p[2] <= 105 for p in fire)

    ImageAnalysis.objects.update(visual_embedding=None, embedding=None)
    empty = projection.compute_map()
    assert (empty.images, empty.points, empty.method) == (0, [], "none (no vectors yet)")


def test_the_map_places_similar_photos_together(small_archive, settings, staff_client):
    from photodesk.insights.projection import compute_map, map_points
    from photodesk.models import ArchiveMap

    # Only this test's photos on the map (the session's demo photos lose their vectors until
    # the test's transaction is rolled back).
    ImageAnalysis.objects.exclude(image_id__in=small_archive.values()).update(
        visual_embedding=None, embedding=None
    )
    archive_map = compute_map()
    assert archive_map.vector == "visual_embedding"
    assert archive_map.images == 4  # the analysed ones
    points = {p[0]: p for p in archive_map.points}
    fire = [
        points[small_archive[t]] for t in ("Fire in the docks", "Fire at night", "Warehouse fire")
    ]
    flood = points[small_archive["Flooded street"]]
    spread = max(abs(a[1] - b[1]) + abs(a[2] - b[2]) for a in fire for b in fire)
    apart = min(abs(a[1] - flood[1]) + abs(a[2] - flood[2]) for a in fire)
    assert spread < apart
    assert fire[0][3][0] in {"fire", "smoke"}
    shown = map_points(archive_map, Filters(rights=("unrestricted",)))
    assert shown["total"] == 2 and {p[4] for p in shown["points"]} == {
        "Warehouse fire",
        "Flooded street",
    }
    # The page, and the button that computes it again (at once here: tasks run inline).
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    response = staff_client.post(reverse("admin:semantic_search_archivemap_refresh"))
    assert response.status_code == 302
    assert ArchiveMap.objects.count() == 1 and ArchiveMap.latest().pk != archive_map.pk
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="photodesk.tasks.refresh_archive_map").count() == 1
    page = staff_client.get(reverse(MAP))
    assert page.status_code == 200 and page.context["map"]["shown"] == 4
    answer = staff_client.get(reverse("photodesk-api:insights-map")).json()
    assert answer["total"] == 4 and len(answer["points"][0]) == 6
