"""A real django-q2 worker (`manage.py qcluster`) on the test database, for the `worker` fixture.

The worker reads what the test commits (`committed_db`), writes to the test's own index
(`separate_index`) and media folder, and logs to the test's tmp_path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import connection

from .helpers import eventually

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text()[-chars:]

    def check_alive(self) -> None:
        assert self.process.poll() is None, f"the worker exited:\n{self.log_tail()}"

    def wait_for(self, probe: Callable[[], T], timeout: float = 15.0) -> T:
        """probe()'s first truthy value (see helpers.eventually), failing if the worker dies."""
        return eventually(probe, timeout=timeout, interval=0.3, check=self.check_alive)


@pytest.fixture
def worker(committed_db, settings, tmp_path, separate_index) -> Iterator[Worker]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.test",
        "PHOTODESK_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "PHOTODESK_TEST_TMP": str(tmp_path),
        "PHOTODESK_INDEX_PATH": str(separate_index),
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield Worker(process, log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
