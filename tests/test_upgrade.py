"""A site that ran Photodesk 0.1 (package `semantic_search`) upgrades without losing anything."""

import importlib

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.test import override_settings
from django.utils.module_loading import import_string
from django_q.models import Schedule

from photodesk.search.index import get_index

pytestmark = pytest.mark.django_db

rename = importlib.import_module("photodesk.migrations.0009_renamed_package")
index_pending = importlib.import_module("photodesk.migrations.0011_index_pending")


def test_scheduled_tasks_move_to_the_new_package_and_back():
    old = Schedule.objects.create(
        func="semantic_search.tasks.index_or_retry", args="7", schedule_type=Schedule.ONCE
    )
    other = Schedule.objects.create(func="myapp.tasks.cleanup", schedule_type=Schedule.ONCE)

    rename.rename_paths(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.func == "photodesk.tasks.index_or_retry"
    assert other.func == "myapp.tasks.cleanup"

    rename.restore_paths(apps, None)
    old.refresh_from_db()
    assert old.func == "semantic_search.tasks.index_or_retry"


def test_index_retries_scheduled_before_the_upgrade_still_write_their_image(archive):
    from photodesk.models import ImageAnalysis

    pk = archive["animal_cat_chelsea.jpg"]
    Schedule.objects.create(
        func="photodesk.tasks.sync_index", args=f"{pk}, 3", schedule_type=Schedule.ONCE
    )
    index_pending.mark_scheduled_retries(apps, None)
    assert list(ImageAnalysis.objects.index_pending().values_list("image_id", flat=True)) == [pk]


def test_settings_naming_the_old_package_still_work_and_warn(settings):
    photodesk = {
        **settings.PHOTODESK,
        "INDEX_BACKEND": "semantic_search.search.index.embedded.EmbeddedIndex",
    }
    with override_settings(PHOTODESK=photodesk):
        assert type(get_index()) is import_string("photodesk.search.index.embedded.EmbeddedIndex")
        warnings = [m for m in run_checks() if m.id == "photodesk.W002"]
    assert len(warnings) == 1
    assert "photodesk.search.index.embedded.EmbeddedIndex" in warnings[0].msg
