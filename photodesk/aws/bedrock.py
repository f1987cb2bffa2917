"""Amazon Titan embeddings through Bedrock, as an alternative text embedder.

    PHOTODESK["TEXT_EMBEDDER"] = "photodesk.aws.bedrock.titan_text_embedder"
    PHOTODESK["AWS_BEDROCK_EMBEDDING_MODEL"] = "amazon.titan-embed-text-v2:0"  # 256/512/1024
    PHOTODESK["AWS_BEDROCK_DIMENSION"] = 1024
    # or "amazon.titan-embed-image-v1" (256/384/1024): texts and images in one space; add
    # "photodesk.analysis.analyzers.aws.BedrockImageEmbeddingAnalyzer" to ANALYZERS.

Queries and image descriptions are then embedded by Titan instead of the local MiniLM; the
search index is made with this dimension (embedding.embedding_dimension). The embedding model
name (recorded on every analysis) changes with it: `manage.py reindex --re-embed` makes the
vectors again from stored facts and builds an index of the new dimension.

Titan embeds one input per InvokeModel request (no batch form for on-demand calls), so the
vectors of repeated texts (label names, prompts) are kept in a small per-process cache.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from photodesk.aws import calls, clients
from photodesk.aws.images import jpeg_under
from photodesk.conf import photodesk_settings
from photodesk.inference.base import InferenceModel
from photodesk.inference.registry import get_model

CACHE_SIZE = 4096
MULTIMODAL_PREFIX = "amazon.titan-embed-image"


class TitanEmbedder(InferenceModel):
    """`predict(texts)` → float32 [n, dimension], unit length."""

    dimensions: ClassVar[tuple[int, ...]] = ()
    max_chars: ClassVar[int] = 20_000

    def __init__(
        self, model_dir: Path, threads: int = 1, model_id: str = "", dimension: int = 512
    ) -> None:
        super().__init__(model_dir, threads)
        if dimension not in self.dimensions:
            raise ValueError(
                f"AWS_BEDROCK_DIMENSION must be one of {self.dimensions} for {model_id}, "
                f"not {dimension}."
            )
        self.model_id = self.name = model_id
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

    def text_body(self, text: str) -> dict[str, Any]:
        raise NotImplementedError

    def invoke(self, body: dict[str, Any]) -> np.ndarray:
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
            key = text.strip()[: self.max_chars] or " "
            with self._cache_lock:
                cached = self._cache.get(key)
                if cached is not None:
                    self._cache.move_to_end(key)
            if cached is None:
                cached = self.invoke(self.text_body(key))
                with self._cache_lock:
                    self._cache[key] = cached
                    while len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
            out[row] = cached
        return out


class TitanTextEmbedder(TitanEmbedder):
    """amazon.titan-embed-text-v2:0: up to 8k tokens; `normalize` asks for unit vectors."""

    dimensions = (256, 512, 1024)

    def text_body(self, text: str) -> dict[str, Any]:
        return {"inputText": text, "dimensions": self.dimension, "normalize": True}


class TitanMultimodalEmbedder(TitanEmbedder):
    """amazon.titan-embed-image-v1: texts (up to 128 tokens) and images in one space, so an
    image's own vector can be searched with a text query."""

    dimensions = (256, 384, 1024)
    embeds_images = True
    max_chars = 500  # ~128 tokens of English
    max_side = 2048  # the model's largest input; bigger images are scaled down first

    def text_body(self, text: str) -> dict[str, Any]:
        return {"inputText": text, "embeddingConfig": {"outputEmbeddingLength": self.dimension}}

    def embed_image(self, pixels: Image.Image) -> np.ndarray:
        image = pixels
        if max(image.size) > self.max_side:
            image = image.copy()
            image.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
        data = base64.b64encode(jpeg_under(image)).decode()
        return self.invoke(
            {"inputImage": data, "embeddingConfig": {"outputEmbeddingLength": self.dimension}}
        )


def titan_text_embedder() -> TitanEmbedder:
    """The TEXT_EMBEDDER for Bedrock: one shared instance per model and dimension (the
    multimodal model when AWS_BEDROCK_EMBEDDING_MODEL names it)."""
    model_id = photodesk_settings.AWS_BEDROCK_EMBEDDING_MODEL
    cls = TitanMultimodalEmbedder if model_id.startswith(MULTIMODAL_PREFIX) else TitanTextEmbedder
    return get_model(
        cls,
        photodesk_settings.model_dir,
        1,
        model_id=model_id,
        dimension=int(photodesk_settings.AWS_BEDROCK_DIMENSION),
    )
