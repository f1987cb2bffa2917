"""The embedded default: SQLite, local files, the ORM broker, the in-process vector index.

`make demo` runs on this with nothing installed but the Python packages.
"""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
(BASE_DIR / "var").mkdir(exist_ok=True)
