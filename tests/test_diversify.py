"""Diversity among the suggestions (ranking.diversify): maximal marginal relevance, and
near-duplicates of a picked image wait below the others, naming their twin."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from photodesk.search.ranking import Candidate, RankingOptions, diversify


def _candidates(scores: dict[int, float]) -> list[Candidate]:
    return [Candidate(hit=None, image=SimpleNamespace(pk=pk), score=s) for pk, s in scores.items()]


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, np.float32)
    return v / np.linalg.norm(v)


def test_a_different_picture_comes_before_a_second_copy_of_the_first():
    vectors = {1: _unit(1, 0, 0), 2: _unit(1, 0.05, 0), 3: _unit(0, 1, 0)}
    options = RankingOptions.for_suggestions(mmr_lambda=0.5, duplicate_similarity=2.0)
    picked = diversify(_candidates({1: 1.0, 2: 0.99, 3: 0.8}), vectors, 3, options)
    assert [c.image.pk for c in picked] == [1, 3, 2]


def test_a_near_duplicate_names_its_twin_when_a_picked_image_has_no_vector():
    """An image without a vector (no evidence yet) among the picked ones: the near-duplicate
    check compares only with the picked images that have one."""
    vectors = {2: _unit(1, 0, 0), 3: _unit(1, 0.01, 0), 4: _unit(0, 1, 0)}
    options = RankingOptions.for_suggestions(mmr_lambda=0.9, duplicate_similarity=0.95)
    picked = diversify(_candidates({1: 1.0, 2: 0.9, 3: 0.85, 4: 0.5}), vectors, 4, options)
    assert [c.image.pk for c in picked] == [1, 2, 4, 3]
    twin = picked[-1]
    assert twin.duplicate_of == 2
    assert [r.kind for r in twin.reasons] == ["near_duplicate"]
    assert twin.reasons[0].data["image_id"] == 2
