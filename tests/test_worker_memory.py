"""A worker gives the memory an analysis freed back to the system instead of keeping its peak."""

from __future__ import annotations

import sys

import pytest

from photodesk.analysis import memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_goes_back_once_the_worker_holds_more_than_the_limit():
    before = memory.resident_mb()
    blocks = [bytearray(2048) for _ in range(60_000)]  # ~120 MB of small heap blocks
    del blocks[:-1]  # the last one keeps the heap's top in place: only a trim gives it back
    held = memory.resident_mb()
    assert held > before + 80

    assert not memory.release(above_mb=held + 1000)  # under the limit: nothing done
    assert memory.release(above_mb=0)
    assert memory.resident_mb() < held - 80
