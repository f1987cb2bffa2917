"""From the index's fused candidates to the final list: boosts, penalties, diversity.

The index ranks by meaning and words (fused, `index.base.fuse`). Here each candidate's
relevance is scaled so the best one has 1.0, then:
- boosts: a person named in the article is shown (+SUGGEST_PERSON_BOOST each; once for a
  query word matching only part of a shown person's name), recency
  (+SUGGEST_RECENCY_BOOST, halving every SUGGEST_RECENCY_HALF_LIFE_DAYS), never used in an
  article (+SUGGEST_UNUSED_BOOST);
- penalty: used in an article in the last SUGGEST_RECENT_USE_DAYS (-SUGGEST_RECENT_USE_PENALTY);
- diversity: maximal marginal relevance over the stored vectors picks the list one by one
  (λ·score − (1−λ)·max cosine to those already picked), and a near-duplicate of a picked
  result (cosine ≥ SUGGEST_DUPLICATE_SIMILARITY) goes below every result that is not one.
Each adjustment leaves a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.utils import timezone

from photodesk.conf import photodesk_settings
from photodesk.host import host, last_used, usage_known
from photodesk.search.index import Hit
from photodesk.search.reasons import Reason


@dataclass(frozen=True)
class RankingOptions:
    """How a search ranks; the defaults come from settings (benchmarks vary them)."""

    fusion: str = "scores"
    keyword_weight: float = 1.0
    use_vectors: bool = True
    use_keywords: bool = True
    field_weights: dict[str, float] | None = None
    pool: int = 50
    mmr_lambda: float = 1.0  # 1.0: no diversification
    duplicate_similarity: float = 2.0  # above 1.0: no near-duplicate check
    person_boost: float = 0.5
    recency_boost: float = 0.0
    recency_half_life_days: float = 365
    unused_boost: float = 0.0
    recent_use_penalty: float = 0.0
    recent_use_days: float = 30

    @classmethod
    def for_search(cls, **changes: Any) -> RankingOptions:
        """Free-text search: relevance only (no usage boosts, no diversification)."""
        conf = photodesk_settings
        return replace(
            cls(
                fusion=conf.SEARCH_FUSION,
                keyword_weight=conf.KEYWORD_WEIGHT,
                pool=conf.SUGGEST_POOL,
                person_boost=conf.SUGGEST_PERSON_BOOST,
            ),
            **changes,
        )

    @classmethod
    def for_suggestions(cls, **changes: Any) -> RankingOptions:
        """Suggestions for an article: relevance, boosts, penalties and diversity."""
        conf = photodesk_settings
        defaults = {
            "keyword_weight": conf.SUGGEST_KEYWORD_WEIGHT,
            "mmr_lambda": conf.SUGGEST_MMR_LAMBDA,
            "duplicate_similarity": conf.SUGGEST_DUPLICATE_SIMILARITY,
            "recency_boost": conf.SUGGEST_RECENCY_BOOST,
            "recency_half_life_days": conf.SUGGEST_RECENCY_HALF_LIFE_DAYS,
            "unused_boost": conf.SUGGEST_UNUSED_BOOST,
            "recent_use_penalty": conf.SUGGEST_RECENT_USE_PENALTY,
            "recent_use_days": conf.SUGGEST_RECENT_USE_DAYS,
        }
        return replace(cls.for_search(), **{**defaults, **changes})


@dataclass
class Candidate:
    hit: Hit
    image: Any
    score: float  # relevance (best = 1.0) plus boosts minus penalties
    reasons: list[Reason] = field(default_factory=list)  # from boosts and penalties
    duplicate_of: int | None = None


def usage_of(image_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """{image id: latest use in an article}, through the site's usage function."""
    return last_used(image_ids)


def _days(delta: dt.timedelta) -> float:
    return max(delta.total_seconds(), 0.0) / 86400


def adjust(
    candidates: list[Candidate],
    options: RankingOptions,
    shown: dict[int, list[str]],
    now: dt.datetime | None = None,
) -> None:
    """Relevance to final score: boosts and penalties (in place), each with its reason.
    `shown`: image id → names of the article's people it shows."""
    now = now or timezone.now()
    top = max((c.hit.score for c in candidates), default=0.0)
    known = _uses_usage(options) and usage_known()
    usage = usage_of(c.image.pk for c in candidates) if known else {}
    for c in candidates:
        c.score = c.hit.score / top if top > 0 else 0.0
        for name in shown.get(c.image.pk, []):
            c.score += options.person_boost
            c.reasons.append(Reason("person", f"shows {name}", {"name": name}))
        if c.hit.matched.get("people") and not shown.get(c.image.pk):
            # Part of a shown person's name matched ("Mensah"): the text model knows no names,
            # so this must not depend on the keyword side's weight.
            c.score += options.person_boost
        created = host().image_added(c.image)
        if options.recency_boost and created:
            age = _days(now - created)
            c.score += options.recency_boost * 0.5 ** (age / options.recency_half_life_days)
        used = usage.get(c.image.pk)
        if used is None:
            if known and options.unused_boost:
                c.score += options.unused_boost
                c.reasons.append(Reason("never_used", "never used in an article"))
        elif options.recent_use_penalty and _days(now - used) <= options.recent_use_days:
            c.score -= options.recent_use_penalty
            days = int(_days(now - used))
            when = "today" if days == 0 else f"{days} day{'s' if days > 1 else ''} ago"
            c.reasons.append(
                Reason(
                    "recently_used",
                    f"used in an article {when}",
                    {"used_at": used.isoformat(), "days": days},
                )
            )
    candidates.sort(key=lambda c: -c.score)


def _uses_usage(options: RankingOptions) -> bool:
    return bool(options.unused_boost or options.recent_use_penalty)


def diversify(
    candidates: list[Candidate],
    vectors: dict[int, np.ndarray],
    limit: int,
    options: RankingOptions,
) -> list[Candidate]:
    """Pick `limit` candidates by maximal marginal relevance; near-duplicates of a picked
    one wait until nothing else is left (candidates sorted by score, best first)."""
    if not candidates:
        return []
    lam = options.mmr_lambda
    remaining = [(c, vectors.get(c.image.pk)) for c in candidates]
    # Each remaining candidate's highest similarity to a picked one, kept up to date as each is
    # picked (one dot product per pair, not one per pair and round).
    nearest = [-np.inf] * len(remaining)
    picked: list[Candidate] = []
    with_vectors: list[tuple[Candidate, np.ndarray]] = []  # the picked ones that have one
    duplicates: list[Candidate] = []
    while remaining and len(picked) < limit:
        best_index, best_value, best_sim = 0, -np.inf, 0.0
        for i, (c, vector) in enumerate(remaining):
            sim = nearest[i] if with_vectors and vector is not None else 0.0
            value = lam * c.score - (1 - lam) * sim
            if value > best_value:
                best_index, best_value, best_sim = i, value, sim
        chosen, vector = remaining.pop(best_index)
        nearest.pop(best_index)
        if with_vectors and vector is not None and best_sim >= options.duplicate_similarity:
            twin = max(with_vectors, key=lambda pv: float(vector @ pv[1]))[0]
            chosen.duplicate_of = twin.image.pk
            chosen.reasons.append(
                Reason(
                    "near_duplicate",
                    f"nearly the same as image {twin.image.pk}",
                    {"image_id": twin.image.pk, "similarity": round(best_sim, 4)},
                )
            )
            duplicates.append(chosen)
            continue
        picked.append(chosen)
        if vector is not None:
            with_vectors.append((chosen, vector))
            for i, (_, other) in enumerate(remaining):
                if other is not None:
                    nearest[i] = max(nearest[i], float(other @ vector))
    return (picked + duplicates)[:limit]
