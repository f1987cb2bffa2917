"""One loaded instance of each model per process, shared by every analyzer and by search."""

from __future__ import annotations

import threading
from pathlib import Path

from photodesk.inference.base import InferenceModel

_lock = threading.Lock()
_models: dict[tuple, InferenceModel] = {}


def get_model(
    cls: type[InferenceModel], model_dir: Path, threads: int = 1, **kwargs
) -> InferenceModel:
    key = (cls, str(model_dir), threads, tuple(sorted(kwargs.items())))
    with _lock:
        model = _models.get(key)
        if model is None:
            model = _models[key] = cls(model_dir, threads, **kwargs)
    return model
