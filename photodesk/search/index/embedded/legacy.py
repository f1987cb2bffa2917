"""The embedded index's earlier format: one `index.npz` rewritten on every write. An index
found in it is read once into the store (same terms and attributes), then removed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np


def file(folder: Path) -> Path:
    return folder / "index.npz"


def documents(folder: Path) -> Iterator[tuple[int, np.ndarray, dict[str, Any]]]:
    """(id, vector, {"terms", "attributes"}) of every document in the old file."""
    with np.load(file(folder), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        ids = [int(i) for i in data["ids"]]
        vectors = data["vectors"].astype(np.float32)
    docs = meta["docs"]
    for doc_id, vector in zip(ids, vectors, strict=True):
        stored = docs[str(doc_id)]
        yield doc_id, vector, {"terms": stored["terms"], "attributes": stored["attributes"]}
