"""Tests: SQLite by default, or the database in DATABASE_URL (CI runs the suite on both).

A test that starts a worker process passes it PHOTODESK_TEST_DB_NAME and
PHOTODESK_INDEX_PATH so the worker reads and writes the same test database and index.
"""

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403
from .base import PHOTODESK

# Each run (and each worker it starts, through PHOTODESK_TEST_TMP) has its own folder: several
# suites (a developer's, a helper's worktree, CI) may run on one machine at once.
if os.environ.get("PHOTODESK_TEST_TMP"):
    _TMP = Path(os.environ["PHOTODESK_TEST_TMP"])
else:
    _TMP = Path(tempfile.mkdtemp(prefix="photodesk-test-"))
    atexit.register(shutil.rmtree, _TMP, ignore_errors=True)  # the run's media, index, SQLite
_SQLITE = str(_TMP / "test.sqlite3")

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    # A test database of this run's own on the shared server: Django would drop another run's
    # test_<name> to create its own.
    _RUN = re.sub(r"\W", "_", _TMP.name.rsplit("-", 1)[-1]).lower()
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_RUN}"[:63]}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _SQLITE,
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
            # A file, not memory, so a worker subprocess can open the same test database.
            "TEST": {"NAME": _SQLITE},
        }
    }
if os.environ.get("PHOTODESK_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["PHOTODESK_TEST_DB_NAME"]

MEDIA_ROOT = _TMP / "media"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PHOTODESK = {
    **PHOTODESK,
    "INDEX_PATH": Path(os.environ.get("PHOTODESK_INDEX_PATH", _TMP / "index")),
    # The suite stays on the embedded index; a test that selects OpenSearch (OPENSEARCH_URL,
    # tests/opensearch_support.py) sees its writes at once instead of after a refresh.
    "OPENSEARCH_REFRESH": "true",
    # schemathesis reads the schema anonymously when it collects its tests (DEBUG is off here,
    # which would make it staff-only); tests of the access rule set it themselves.
    "API_SCHEMA_ACCESS": "public",
}
Q_CLUSTER = {**Q_CLUSTER, "poll": 0.2}  # noqa: F405
