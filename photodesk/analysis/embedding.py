"""The text embedder every vector lives in: images are placed in its space (describe.py) and
queries are embedded with it (search). With CLIP_MODEL_DIR it is a joint image–text model
(inference/clip.py): images are embedded by its visual side. Nothing is loaded until a vector
is asked for."""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from django.utils.module_loading import import_string

from photodesk.conf import photodesk_settings
from photodesk.inference.base import InferenceModel
from photodesk.inference.clip import ClipModel
from photodesk.inference.registry import get_model
from photodesk.inference.text_embedding import SentenceEmbedder

# The recipe that turns facts into an image vector (describe.image_vector); part of the
# recorded embedding model, so a change is detected and backfilled.
EMBEDDING_VERSION = "soft-labels-2"


def embedder() -> SentenceEmbedder:
    """The configured text embedder (TEXT_EMBEDDER): local MiniLM by default, or a function
    returning another model with `predict(texts)`, `name`, `version` and `dimension` (Bedrock
    Titan: photodesk.aws.bedrock.titan_text_embedder); the joint model when CLIP_MODEL_DIR
    is set. Nothing is loaded here (a CLIP folder's small JSON files are read)."""
    joint = joint_model()
    if joint is not None:
        return joint
    target = import_string(photodesk_settings.TEXT_EMBEDDER)
    if isinstance(target, type):
        return get_model(target, photodesk_settings.model_dir, photodesk_settings.INFERENCE_THREADS)
    return target()


def joint_model() -> ClipModel | None:
    """The CLIP-family model of CLIP_MODEL_DIR (one instance per process), or None. A folder
    that does not match the layout raises ClipFolderError naming the wrong file."""
    folder = photodesk_settings.clip_model_dir
    if folder is None:
        return None
    return get_model(
        ClipModel,
        photodesk_settings.model_dir,
        photodesk_settings.INFERENCE_THREADS,
        folder=str(folder),
    )


def embedding_dimension() -> int:
    """The vector dimension the index must be made for (no model is loaded or called)."""
    return int(embedder().dimension)


def embedding_model_name() -> str:
    """Recorded with every vector: the model, its version (a CLIP folder: the hash of its
    files) and the recipe that made image vectors in its space."""
    model = embedder()
    return f"{model.name}@{model.version}/{getattr(model, 'recipe', EMBEDDING_VERSION)}"


def query_vector(text: str) -> np.ndarray:
    return query_vectors([text])[0]


# Query texts embedded lately by a local model (Bedrock's embedder keeps its own cache): the
# suggestion panel asks again for an article whose title and opening have not changed, and
# saved searches repeat their text.
QUERY_CACHE_SIZE = 1024
_query_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_query_cache_lock = threading.Lock()


def query_vectors(texts: list[str]) -> np.ndarray:
    """Each text embedded on its own (or taken from the cache): in one batch every text is
    padded to the longest, and an article's texts differ in length (its opening, passages,
    key phrases): one at a time was 10-17 % faster, the vectors the same to 1e-7. Up to
    QUERY_EMBEDDING_THREADS texts are embedded at once (the model's session runs each call on
    its own threads and lets go of the GIL)."""
    model = embedder()
    if not texts:
        return np.zeros((0, int(model.dimension)), np.float32)
    if not isinstance(model, InferenceModel):
        return model.predict(texts)
    name = f"{model.name}@{model.version}"
    threads = photodesk_settings.QUERY_EMBEDDING_THREADS
    if threads <= 1 or len(texts) == 1:
        return np.stack([_query_vector(model, name, text) for text in texts])
    pool = _query_pool(threads)
    return np.stack(list(pool.map(lambda text: _query_vector(model, name, text), texts)))


_pools: dict[int, ThreadPoolExecutor] = {}


def _query_pool(threads: int) -> ThreadPoolExecutor:
    """One pool per process (per size: tests change the setting)."""
    with _query_cache_lock:
        pool = _pools.get(threads)
        if pool is None:
            pool = _pools[threads] = ThreadPoolExecutor(threads, "photodesk-query")
        return pool


def _query_vector(model: InferenceModel, name: str, text: str) -> np.ndarray:
    key = (name, text)
    with _query_cache_lock:
        vector = _query_cache.get(key)
        if vector is not None:
            _query_cache.move_to_end(key)
            return vector
    vector = np.asarray(model.predict([text])[0], np.float32)
    with _query_cache_lock:
        _query_cache[key] = vector
        while len(_query_cache) > QUERY_CACHE_SIZE:
            _query_cache.popitem(last=False)
    return vector
