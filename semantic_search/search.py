"""Finding images: free-text search, suggestions for an article, similar images.

Each result carries the reasons it matched, built from the index hit and the stored facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import describe
from .conf import photodesk_settings
from .documents import image_file_name
from .images import get_image_model
from .index import Filters, Hit, SearchQuery, get_index
from .models import ImageAnalysis, ImageLabel
from .text.query import build_article_query
from .text.tokens import tokens

# Rights values that suggestions leave out unless asked.
NOT_REUSABLE = {"forbidden"}


@dataclass
class Result:
    image: Any
    score: float
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.image.pk,
            "title": getattr(self.image, "title", "") or image_file_name(self.image),
            "original_filename": image_file_name(self.image),
            "score": round(self.score, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "reasons": self.reasons,
        }


def search_images(text: str, limit: int = 10, filters: Filters | None = None) -> list[Result]:
    text = text.strip()
    if not text:
        return []
    query_vector = describe.query_vector(text)
    query = SearchQuery(
        vectors=[query_vector],
        keywords=text,
        filters=filters or Filters(),
        limit=limit,
        keyword_weight=photodesk_settings.KEYWORD_WEIGHT,
    )
    return _results(get_index().search(query), [query_vector], text)


def suggest_for_article(
    article: Any = None,
    *,
    title: str = "",
    body: str = "",
    limit: int = 10,
    filters: Filters | None = None,
) -> list[Result]:
    """Images for an article (a model instance with title/body, or the text itself)."""
    if article is not None:
        title, body = article.title, getattr(article, "body", "")
    built = build_article_query(title, body)
    if not any(t.strip() for t in built.texts):
        return []
    filters = filters or Filters(rights_in=None, exclude_flagged=True)
    if filters.rights_in is None:
        filters.rights_in = _reusable_rights()
    if article is not None and getattr(article, "lead_image_id", None):
        filters.exclude_ids = set(filters.exclude_ids) | {article.lead_image_id}
    vectors = list(describe.query_vectors(built.texts))
    query = SearchQuery(
        vectors=vectors,
        keywords=built.keywords,
        filters=filters,
        limit=limit,
        keyword_weight=photodesk_settings.KEYWORD_WEIGHT,
    )
    return _results(get_index().search(query), vectors, built.keywords)


def similar_images(image: Any, limit: int = 10) -> list[Result]:
    vector = get_index().vector(image.pk)
    if vector is None:
        analysis = ImageAnalysis.objects.indexable().filter(image=image).first()
        if analysis is None:
            return []
        vector = analysis.vector
    query = SearchQuery(vectors=[vector], filters=Filters(exclude_ids={image.pk}), limit=limit)
    return _results(get_index().search(query), [vector])


def _reusable_rights() -> set[str] | None:
    model = get_image_model()
    try:
        choices = model._meta.get_field("rights").choices or []
    except Exception:
        return None
    return {value for value, _ in choices} - NOT_REUSABLE


def _results(
    hits: list[Hit], query_vectors: list[np.ndarray], query_text: str = ""
) -> list[Result]:
    """Attach images and reasons to hits, keeping the index's order; skip vanished images."""
    ids = [hit.id for hit in hits]
    images = get_image_model().objects.in_bulk(ids)
    analyses = {a.image_id: a for a in ImageAnalysis.objects.filter(image_id__in=ids)}
    tags: dict[int, list[ImageLabel]] = {}
    for row in ImageLabel.objects.visible().filter(image_id__in=ids).select_related("label"):
        tags.setdefault(row.image_id, []).append(row)
    results = []
    for hit in hits:
        image = images.get(hit.id)
        if image is None:
            continue
        reasons = explain(
            hit, analyses.get(hit.id), tags.get(hit.id, []), query_vectors, query_text
        )
        results.append(
            Result(image=image, score=hit.score, reasons=reasons, similarity=hit.similarity)
        )
    return results


def explain(
    hit: Hit,
    analysis: ImageAnalysis | None,
    tags: list[ImageLabel],
    query_vectors: list[np.ndarray],
    query_text: str = "",
) -> list[str]:
    """Short, human reasons: tags named in the query (accepted ones only), the detected class
    closest in meaning, words matched in captions or in the image, faces for a query about
    people, similarity."""
    reasons: list[str] = []
    query_terms = set(tokens(query_text))
    named = [row for row in tags if query_terms & set(tokens(" ".join(row.label.terms())))]
    named.sort(key=lambda row: -row.confidence)
    reasons += [f"label “{row.label.name}” ({row.confidence:.0f}%)" for row in named[:3]]
    if analysis is not None:
        if query_vectors and analysis.concepts:
            closest = closest_class(analysis, query_vectors)
            if closest and not any(closest in r for r in reasons):
                confidence = next(
                    (label["confidence"] for label in analysis.labels if label["name"] == closest),
                    None,
                )
                suffix = f" ({confidence:.0f}%)" if confidence is not None else ""
                reasons.append(f"looks like {closest}{suffix}")
        if analysis.face_count and query_terms & PEOPLE_WORDS:
            reasons.append(f"{analysis.face_count} face(s) detected")
    for name, words in (
        ("caption", "caption"),
        ("ocr_text", "text in image"),
        ("metadata", "photo metadata"),
        ("people", "shows"),
    ):
        if hit.matched.get(name):
            reasons.append(f"{words} mentions " + ", ".join(sorted(set(hit.matched[name]))))
    if hit.similarity is not None:
        reasons.append(f"similar in meaning ({hit.similarity:.2f})")
    return reasons


PEOPLE_WORDS = set(tokens("person people man men woman women child children boy girl crowd face"))


def closest_class(analysis: ImageAnalysis, query_vectors: list[np.ndarray]) -> str | None:
    """The detected class that contributes most to the match: max p(class) x sim(query, class)."""
    from .labeling import rejected_classes

    rejected = rejected_classes(analysis.image_id) if analysis.image_id else set()
    evidence = {int(k): float(v) for k, v in analysis.concepts.items() if int(k) not in rejected}
    indices = [i for i, p in evidence.items() if p >= 0.05]  # weights among the top 10
    if not indices:
        return None
    class_vectors = describe.class_texts.vectors(indices)
    sims = (np.stack(query_vectors) @ class_vectors.T).max(axis=0)
    contribution = np.array([evidence[i] for i in indices]) * np.clip(sims, 0, None)
    best = int(np.argmax(contribution))
    if sims[best] < 0.25:
        return None
    return describe.class_texts.label(indices[best])
