"""Query texts in the text embedder's space: each on its own (no padding to a longer text of
the same article), the same vectors as one batch, the same again when asked again."""

from __future__ import annotations

import numpy as np

from photodesk.analysis.embedding import embedder, query_vector, query_vectors

from .conftest import SHARED, need

TEXTS = [
    "Flooded streets after the storm.",
    "The river burst its banks overnight and rescue boats took families from the roofs of "
    "their houses while the rain kept falling over the valley.",
    "storm, flood, rescue boats",
]


def test_query_texts_embed_as_in_one_batch_and_again_the_same():
    need((SHARED / "models").is_dir(), "../shared/models is missing")
    batch = embedder().predict(TEXTS)
    vectors = query_vectors(TEXTS)
    assert vectors.shape == (3, embedder().dimension) and vectors.dtype == np.float32
    assert np.allclose(vectors, batch, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = query_vectors(list(reversed(TEXTS)))
    np.testing.assert_array_equal(again, vectors[::-1])
    np.testing.assert_array_equal(query_vector(TEXTS[0]), vectors[0])
    assert query_vectors([]).shape == (0, embedder().dimension)
    # A returned vector may be changed by its caller without changing the next answer.
    first = vectors[0].copy()
    vectors[0] *= 2
    np.testing.assert_array_equal(query_vectors(TEXTS[:1])[0], first)


def test_an_articles_texts_embed_at_once_on_threads_to_the_same_vectors(settings, monkeypatch):
    """QUERY_EMBEDDING_THREADS: an article's texts are embedded at once, each on a thread of
    the process's pool, to exactly the vectors one after another gives."""
    need((SHARED / "models").is_dir(), "../shared/models is missing")
    import threading

    from photodesk.analysis import embedding

    model = embedder()
    ran_on: set[str] = set()
    predict = model.predict

    def recording(texts):
        ran_on.add(threading.current_thread().name)
        return predict(texts)

    monkeypatch.setattr(model, "predict", recording)
    settings.PHOTODESK = {**settings.PHOTODESK, "QUERY_EMBEDDING_THREADS": 1}
    embedding._query_cache.clear()
    one_by_one = query_vectors(TEXTS)
    assert ran_on == {threading.current_thread().name}

    ran_on.clear()
    settings.PHOTODESK = {**settings.PHOTODESK, "QUERY_EMBEDDING_THREADS": 2}
    embedding._query_cache.clear()
    at_once = query_vectors(TEXTS)
    assert ran_on and all(name.startswith("photodesk-query") for name in ran_on)
    np.testing.assert_array_equal(at_once, one_by_one)
