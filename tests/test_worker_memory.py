"""A worker gives the memory an analysis freed back to the system instead of keeping its peak."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# In a fresh process: a long test session's heap already holds freed memory that new blocks
# would reuse, so it would not grow (or shrink) the way a worker's does after an analysis.
SCENARIO = """
import json
from photodesk.analysis import memory
before = memory.resident_mb()
blocks = [bytearray(2048) for _ in range(60_000)]  # ~120 MB of small heap blocks
del blocks[:-1]  # the last one keeps the heap's top in place: only a trim gives it back
held = memory.resident_mb()
under_limit = memory.release(above_mb=held + 1000)
trimmed = memory.release(above_mb=0)
print(json.dumps([before, held, under_limit, trimmed, memory.resident_mb()]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_goes_back_once_the_worker_holds_more_than_the_limit():
    out = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, check=True
    ).stdout
    before, held, under_limit, trimmed, after = json.loads(out.strip().splitlines()[-1])
    assert held > before + 80
    assert not under_limit  # under the limit: nothing done
    assert trimmed
    assert after < held - 80
