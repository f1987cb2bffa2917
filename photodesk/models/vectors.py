"""Vectors stored as raw float32 bytes in a BinaryField (portable across databases)."""

from __future__ import annotations

from typing import Any

import numpy as np


class Float32Vector:
    """`model.vector` reads and writes the BinaryField `field` as a float32 numpy array."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        raw = getattr(obj, self.field)
        return None if raw is None else np.frombuffer(bytes(raw), dtype=np.float32)

    def __set__(self, obj: Any, value: np.ndarray | None) -> None:
        data = None if value is None else np.asarray(value, np.float32).tobytes()
        setattr(obj, self.field, data)
