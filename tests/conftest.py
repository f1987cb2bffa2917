"""Shared fixtures: the demo photos are ingested and analysed once per session, with the real
models, into the test database and a session index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DEMO_PHOTOS = SHARED / "photos" / "demo"
EVAL_PHOTOS = SHARED / "photos" / "eval"

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip when a real component is missing, except under CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this, but: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    # Transactional tests (the worker ones) flush the database afterwards, which would wipe the
    # session's demo archive: run them last.
    items.sort(key=lambda item: any(item.get_closest_marker(m) for m in ("worker", "browser")))


@pytest.fixture(scope="session")
def archive_dump(tmp_path_factory) -> Path:
    """Where demo_archive keeps a copy of the database (see live_archive)."""
    return tmp_path_factory.mktemp("archive") / "database.json"


@pytest.fixture(scope="session")
def demo_archive(django_db_setup, django_db_blocker, archive_dump):
    """The 39 demo photos, analysed (ingest --sync) once for the whole session."""
    need(DEMO_PHOTOS.is_dir(), f"{DEMO_PHOTOS} is missing")
    from semantic_search.host import get_image_model

    with django_db_blocker.unblock():
        call_command("ingest", str(DEMO_PHOTOS), sync=True, no_progress=True)
        call_command("dumpdata", output=str(archive_dump), verbosity=0)
        model = get_image_model()
        return {img.original_filename: img.pk for img in model.objects.all()}


@pytest.fixture
def live_archive(demo_archive, archive_dump, transactional_db):
    """The demo archive in a transactional test (live server, browser). Each transactional test
    flushes the database when it ends (the archive, and the migrations' data with it): if one
    ran before, load the session's copy back instead of running the models again."""
    from semantic_search.host import get_image_model

    present = get_image_model().objects.filter(pk__in=demo_archive.values()).count()
    if present != len(demo_archive):
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        call_command("loaddata", str(archive_dump), verbosity=0)
    return demo_archive


@pytest.fixture
def archive(demo_archive, db):
    return demo_archive


@pytest.fixture
def separate_index(settings, tmp_path):
    """Point the index at an empty folder for tests that add or delete images."""
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    return tmp_path / "index"


# Face scenes (issue 6): a module-scoped archive of generated photos of known people.
from .browser import browser_page, page_1366  # noqa: E402, F401
from .face_fixtures import face_archive, fast_analyzers  # noqa: E402, F401
