"""Amazon Titan text embeddings through Bedrock, as an alternative text embedder.

    PHOTODESK["TEXT_EMBEDDER"] = "semantic_search.aws.bedrock.titan_text_embedder"
    PHOTODESK["AWS_BEDROCK_DIMENSION"] = 1024   # Titan text v2: 256, 512 or 1024

Queries and image descriptions are then embedded by Titan instead of the local MiniLM; the
search index is made with this dimension (describe.embedding_dimension). The embedding model
name (recorded on every analysis) changes with it, so `manage.py analyze` re-embeds the
archive and `manage.py reindex` builds an index of the new dimension.

Titan text v2 embeds one text per InvokeModel request (there is no batch form for on-demand
calls), so the vectors of repeated texts (label names, prompts) are kept in a small
per-process cache.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..conf import photodesk_settings
from ..inference.base import InferenceModel
from ..inference.registry import get_model
from . import calls, clients

DIMENSIONS = (256, 512, 1024)
# Titan text v2 takes up to 8k tokens; cutting characters keeps a request well inside that.
MAX_CHARS = 20_000
CACHE_SIZE = 4096


class TitanTextEmbedder(InferenceModel):
    """`predict(texts)` → float32 [n, dimension], unit length (Titan's `normalize`)."""

    def __init__(
        self,
        model_dir: Path,
        threads: int = 1,
        model_id: str = "amazon.titan-embed-text-v2:0",
        dimension: int = 512,
    ) -> None:
        super().__init__(model_dir, threads)
        if dimension not in DIMENSIONS:
            raise ValueError(
                f"AWS_BEDROCK_DIMENSION must be one of {DIMENSIONS} for {model_id}, "
                f"not {dimension}."
            )
        self.model_id = model_id
        self.name = model_id
        self.version = f"{dimension}d"
        self.dimension = dimension
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def api_calls(self) -> dict[str, int]:
        """Calls per image: its written text (label names are mostly cached)."""
        return {"bedrock-runtime:InvokeModel": 1}

    def load(self) -> None:
        pass  # the client is made per call (tests swap it); nothing to load

    def _embed(self, text: str) -> np.ndarray:
        body = {"inputText": text[:MAX_CHARS], "dimensions": self.dimension, "normalize": True}
        response = calls.call(
            clients.client("bedrock-runtime"),
            "InvokeModel",
            modelId=self.model_id,
            body=json.dumps(body),
            contentType="application/json",
            accept="application/json",
        )
        vector = np.asarray(json.loads(response["body"].read())["embedding"], np.float32)
        if vector.shape != (self.dimension,):
            raise ValueError(
                f"{self.model_id} returned {vector.shape[0]} dimensions, not {self.dimension}."
            )
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector

    def _predict(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), np.float32)
        for row, text in enumerate(texts):
            key = text.strip() or " "
            with self._cache_lock:
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
            if cached is None:
                cached = self._embed(key)
                with self._cache_lock:
                    self._cache[key] = cached
                    while len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
            out[row] = cached
        return out


def titan_text_embedder() -> TitanTextEmbedder:
    """The TEXT_EMBEDDER for Bedrock: one shared instance per model and dimension."""
    return get_model(
        TitanTextEmbedder,
        photodesk_settings.model_dir,
        1,
        model_id=photodesk_settings.AWS_BEDROCK_EMBEDDING_MODEL,
        dimension=int(photodesk_settings.AWS_BEDROCK_DIMENSION),
    )
