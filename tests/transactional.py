"""Transactional tests leave the database as they found them, so tests run in any order.

A test whose data another process or thread must read (a real worker, the browser through
live_server) commits it, and pytest-django empties every table when such a test ends. Django's
serialized rollback alone does not undo that for the tests after it: it loads its snapshot when
a serialized test *starts* (not when it ends), and takes that snapshot when the test database
is created, before the session's archives exist. Measured: after one serialized transactional
test, the next `db` test found no image, no role and no taxonomy.

So the conftest hooks call `before()` when pytest-django opens a test's database and `after()`
once it has closed it: a transactional test snapshots the committed data it starts with (the
demo archive, the migrations' roles and taxonomy, whatever a session fixture added: about
0.1 s) into Django's serialized-rollback slot, and gets it back right after the flush (about
0.3 s). A snapshot taken then, not at database creation, needs no archive made up front.
"""

from __future__ import annotations

import pytest
import pytest_django.fixtures
from django.db import DEFAULT_DB_ALIAS, connections
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import validate_django_db

# The pytest-django fixture that opens and closes each test's database (its TestCase). A
# private name: fail loudly if a new pytest-django renames it, rather than restore nothing.
DB_FIXTURE = "_django_db_helper"
if not hasattr(pytest_django.fixtures, DB_FIXTURE):
    raise ImportError(f"pytest-django has no {DB_FIXTURE} fixture: update tests/transactional.py")
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}
_SNAPSHOT = pytest.StashKey[tuple]()


def _mode(item: pytest.Item) -> tuple[bool, bool]:
    """(transactional, serialized rollback), as pytest-django decides them for `item`."""
    transaction = reset_sequences = serialized = False
    marker = item.get_closest_marker("django_db")
    if marker:
        transaction, reset_sequences, _, serialized, _ = validate_django_db(marker)
    names = set(getattr(item, "fixturenames", ()))
    transactional = transaction or reset_sequences or bool(TRANSACTIONAL_FIXTURES & names)
    return transactional, serialized or "django_db_serialized_rollback" in names


def before(item: pytest.Item, blocker: DjangoDbBlocker) -> None:
    transactional, serialized = _mode(item)
    if not transactional:
        return
    if not serialized:
        pytest.fail(
            "A transactional test must use serialized rollback (the `committed_db` fixture): "
            "otherwise the tables it empties stay empty for the tests after it."
        )
    connection = connections[DEFAULT_DB_ALIAS]
    with blocker.unblock():
        snapshot = connection.creation.serialize_db_to_string()
    # Django's slot: its own restore when the test starts loads this same state.
    connection._test_serialized_contents = snapshot
    item.stash[_SNAPSHOT] = (blocker, snapshot)


def after(item: pytest.Item) -> None:
    if _SNAPSHOT not in item.stash:
        return
    blocker, snapshot = item.stash[_SNAPSHOT]
    del item.stash[_SNAPSHOT]
    with blocker.unblock():
        connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(snapshot)
