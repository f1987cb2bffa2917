"""Benchmarks: their own SQLite database, media and index under var/bench (or BENCH_DIR)."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, PHOTODESK

BENCH_DIR = Path(os.environ.get("BENCH_DIR", BASE_DIR / "var" / "bench"))
BENCH_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": {**DATABASES["default"], "NAME": BENCH_DIR / "db.sqlite3"}}
MEDIA_ROOT = BENCH_DIR / "media"
PHOTODESK = {**PHOTODESK, "INDEX_PATH": BENCH_DIR / "index"}
if os.environ.get("BENCH_INFERENCE_ENGINE"):  # benchmarks/ingest.py --engine, for its workers too
    PHOTODESK["INFERENCE_ENGINE"] = os.environ["BENCH_INFERENCE_ENGINE"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
if os.environ.get("BENCH_FACE_DETECTOR"):  # benchmarks/ingest.py --face-detector
    PHOTODESK["FACE_DETECTOR"] = os.environ["BENCH_FACE_DETECTOR"]
