"""The text embedder every vector lives in: images are placed in its space (describe.py) and
queries are embedded with it (search). Nothing is loaded until a vector is asked for."""

from __future__ import annotations

import numpy as np
from django.utils.module_loading import import_string

from photodesk.conf import photodesk_settings
from photodesk.inference.registry import get_model
from photodesk.inference.text_embedding import SentenceEmbedder

# The recipe that turns facts into an image vector (describe.image_vector); part of the
# recorded embedding model, so a change is detected and backfilled.
EMBEDDING_VERSION = "soft-labels-2"


def embedder() -> SentenceEmbedder:
    """The configured text embedder (TEXT_EMBEDDER): local MiniLM by default, or a function
    returning another model with `predict(texts)`, `name`, `version` and `dimension` (Bedrock
    Titan: photodesk.aws.bedrock.titan_text_embedder). Nothing is loaded here."""
    target = import_string(photodesk_settings.TEXT_EMBEDDER)
    if isinstance(target, type):
        return get_model(target, photodesk_settings.model_dir, photodesk_settings.INFERENCE_THREADS)
    return target()


def embedding_dimension() -> int:
    """The vector dimension the index must be made for (no model is loaded or called)."""
    return int(embedder().dimension)


def embedding_model_name() -> str:
    model = embedder()
    return f"{model.name}@{model.version}/{EMBEDDING_VERSION}"


def query_vector(text: str) -> np.ndarray:
    return embedder().predict([text])[0]


def query_vectors(texts: list[str]) -> np.ndarray:
    return embedder().predict(texts)
