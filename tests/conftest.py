"""Shared fixtures: the demo photos are ingested and analysed once per session, with the real
models, into the test database and a session index. Tests run in any order (pytest-randomly):
a test that needs committed data asks for `committed_db` and leaves the database as it found it
(tests/transactional.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

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


# Imported after need(), which these modules use.
from . import transactional  # noqa: E402
from .browser import browser_page, page_1366  # noqa: E402, F401
from .clip_fixtures import tiny_clip  # noqa: E402, F401
from .face_fixtures import analysed_face_scenes, face_archive, fast_analyzers  # noqa: E402, F401
from .worker import worker  # noqa: E402, F401


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname == transactional.DB_FIXTURE:
        transactional.before(request.node, request.getfixturevalue("django_db_blocker"))
    return (yield)


def pytest_fixture_post_finalizer(fixturedef, request):
    if fixturedef.argname == transactional.DB_FIXTURE:
        transactional.after(request.node)


@pytest.fixture
def committed_db(transactional_db, django_db_serialized_rollback) -> None:
    """What the test writes is committed, for another process or thread to read (a worker, the
    live server); the session's data is there, and is again after the test."""


@pytest.fixture(scope="session")
def demo_archive(django_db_setup, django_db_blocker) -> dict[str, int]:
    """The 39 demo photos, analysed (ingest --sync) once for the whole session: file name → pk."""
    need(DEMO_PHOTOS.is_dir(), f"{DEMO_PHOTOS} is missing")
    from photodesk.host import get_image_model

    with django_db_blocker.unblock():
        call_command("ingest", str(DEMO_PHOTOS), sync=True, no_progress=True)
        model = get_image_model()
        return {img.original_filename: img.pk for img in model.objects.all()}


@pytest.fixture
def archive(demo_archive, db) -> dict[str, int]:
    return demo_archive


@pytest.fixture
def separate_index(settings, tmp_path) -> Path:
    """Point the index at an empty folder for tests that add or delete images."""
    settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    return tmp_path / "index"


@pytest.fixture
def staff_client(client, django_user_model) -> Client:
    """The Django test client, signed in as a superuser named "editor"."""
    user = django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
    client.force_login(user)
    return client
