"""The label and ingest charts read rollups kept as rows change: after every kind of change a
person or the pipeline makes, they count exactly what the live queries count."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from photodesk.insights import queries, rollup
from photodesk.insights.filters import Filters
from photodesk.models import ImageLabel, Label, LabelRollup, ReviewItem, RollupBuild

from .api_support import *  # noqa: F403
from .helpers import jpeg_bytes
from .insights_support import *  # noqa: F403
from .insights_support import at

# Whole weeks and partial ones at both ends (2026-01-03 is a Saturday, 2026-02-03 a Tuesday),
# days within one week, open ends, rights.
CASES = [
    Filters(),
    Filters(end=dt.date(2026, 2, 28)),
    Filters(dt.date(2026, 1, 3), dt.date(2026, 2, 3)),
    Filters(dt.date(2026, 1, 6), dt.date(2026, 1, 8)),
    Filters(dt.date(2026, 1, 6)),
    Filters(end=dt.date(2026, 1, 13), rights=("editorial",)),
    Filters(dt.date(2025, 1, 1), dt.date(2026, 12, 31), ("editorial", "unrestricted")),
]


def charts(filters: Filters) -> dict:
    label_ids = list(Label.objects.values_list("pk", flat=True))
    return {
        "top": queries.top_labels(filters),
        "over_time": queries.labels_over_time(filters, label_ids),
        "ingest": queries.ingest_per_day(filters),
    }


def live(filters: Filters) -> dict:
    """The same charts counted by the live queries (the rollups not ready)."""
    with transaction.atomic():
        RollupBuild.objects.all().delete()
        assert not rollup.ready()
        counted = charts(filters)
        transaction.set_rollback(True)
    return counted


def assert_rollups_count_as_live() -> None:
    assert rollup.ready()
    for filters in CASES:
        assert charts(filters) == live(filters), filters


def test_rollups_stay_exact_through_adding_relabelling_reviewing_and_deleting(
    small_archive, django_user_model
):
    from cms_images.models import Image
    from photodesk.labels import service

    user = django_user_model.objects.create_user("rev", password="x")
    assert_rollups_count_as_live()
    fire, smoke, flood = (Label.objects.get(slug=s) for s in ("fire", "smoke", "flood"))
    before = {row["label"]: row["images"] for row in queries.top_labels(CASES[1])}

    # Add: a new image (ingest), tagged by hand and by a model.
    name = default_storage.save("images/rollup-new.jpg", ContentFile(jpeg_bytes()))
    image = Image.objects.create(
        file=name, title="New fire", rights="editorial", width=64, height=48
    )
    assert_rollups_count_as_live()  # added today
    Image.objects.filter(pk=image.pk).update(created=at("2026-01-07"))  # around the ORM…
    call_command("rebuild_insights", "--no-progress")  # … so counted again
    image.refresh_from_db()
    service.add_label(image, smoke, user)
    ImageLabel.objects.create(image=image, label=flood, confidence=60, source="m", state="review")
    assert_rollups_count_as_live()
    after = {row["label"]: row["images"] for row in queries.top_labels(CASES[1])}
    assert after["smoke"] == before["smoke"] + 1 and after["flood"] == before["flood"]

    # Relabel: a review accepted, a label merged into another, the image's rights changed.
    service.decide(ImageLabel.objects.get(image=image, label=flood), "accepted", user)
    service.merge_labels(smoke, fire, user)
    image.rights = "unrestricted"
    image.save()
    assert_rollups_count_as_live()

    # Review: auto labels rejected, one from the review queue (a proxy of the label rows).
    for row in ImageLabel.objects.filter(label=fire, state="auto")[:2]:
        service.decide(row, "rejected", user)
    row = ImageLabel.objects.filter(label=flood, state="auto").first()
    service.decide(ReviewItem.objects.get(pk=row.pk), "rejected", user)
    assert_rollups_count_as_live()

    # A label switched off leaves the charts; back on, it returns.
    Label.objects.filter(pk=flood.pk).update(active=False)
    assert "flood" not in {row["label"] for row in queries.top_labels(Filters())}
    assert_rollups_count_as_live()
    Label.objects.filter(pk=flood.pk).update(active=True)

    # Delete: an image (its labels with it) and a label row.
    ImageLabel.objects.filter(image_id=small_archive["Flooded street"], label=flood).delete()
    Image.objects.get(pk=small_archive["Fire in the docks"]).delete()
    image.delete()
    assert_rollups_count_as_live()
    # A label deleted: its rows and counts with it.
    Label.objects.get(slug="smoke").delete()
    assert not LabelRollup.objects.filter(label_id=smoke.pk).exists()
    assert_rollups_count_as_live()
    # Nothing left over: every rollup row adds up to what is there.
    assert not LabelRollup.objects.filter(images__lt=0).exists()


def test_the_charts_count_live_until_the_rollups_are_built_in_the_current_time_zone(
    small_archive,
):
    assert rollup.ready()
    with override_settings(TIME_ZONE="Pacific/Auckland"):
        # The rollups' days are another zone's: not read, the live queries count.
        assert not rollup.ready()
        # 12:00 UTC on 2026-01-05 is the next morning in Auckland.
        assert queries.ingest_per_day(Filters(dt.date(2026, 1, 6), dt.date(2026, 1, 6))) == [
            {"day": "2026-01-06", "images": 1}
        ]
        call_command("rebuild_insights", "--no-progress")
        assert rollup.ready()
        assert_rollups_count_as_live()
    assert not rollup.ready()  # built for Auckland now
    RollupBuild.objects.all().delete()
    assert queries.top_labels(Filters(end=dt.date(2026, 2, 28)))[0] == {
        "label_id": Label.objects.get(slug="fire").pk,
        "label": "fire",
        "images": 4,
    }


def test_an_archive_without_built_rollups_is_told_to_build_them(small_archive):
    from photodesk import checks

    assert checks.check_insight_rollups(None, databases=["default"]) == []
    RollupBuild.objects.all().delete()
    (warning,) = checks.check_insight_rollups(None, databases=["default"])
    assert warning.id == "photodesk.W130" and "rebuild_insights" in warning.hint
    call_command("rebuild_insights", "--no-progress")
    assert checks.check_insight_rollups(None, databases=["default"]) == []
