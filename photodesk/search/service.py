"""Finding images: free-text search, suggestions for an article, similar images.

    search_images(text, limit, filters)            a free query (the panel's search box)
    suggest_for_article(article | title/body, …)   images for an article, best first
    suggest_for_text(title, body, …)               the same for text not saved yet
    similar_images(image, limit)                   "more like this"

Flow: query texts (several for an article, text/query.py) → the index ranks candidates by
meaning (kNN on the vectors) and words (BM25 over captions, OCR, IPTC, people's names and
labels), fused (SEARCH_FUSION) → boosts, penalties and diversity (ranking.py) → results with
their reasons (reasons.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from photodesk.analysis import borrowed, embedding
from photodesk.conf import photodesk_settings
from photodesk.host import NOT_REUSABLE, get_image_model, host, reusable_rights
from photodesk.instruments import timed
from photodesk.labels.service import rejected_classes_by_image
from photodesk.models import ImageAnalysis, ImageLabel, Person
from photodesk.people.queries import people_in_text, people_shown_by_image
from photodesk.search.index import Filters, Hit, SearchQuery, get_index
from photodesk.search.ranking import Candidate, RankingOptions, adjust, diversify
from photodesk.search.reasons import Reason, explain, usage_by_image
from photodesk.search.text.query import ArticleQuery, build_article_query
from photodesk.search.text.tokens import bounded_terms, tokens
from photodesk.series import queries as series_queries

__all__ = [
    "NOT_REUSABLE",
    "Filters",
    "RankingOptions",
    "Reason",
    "Result",
    "default_suggestion_filters",
    "search_images",
    "similar_images",
    "suggest_for_article",
    "suggest_for_text",
]


@dataclass
class Result:
    image: Any
    score: float
    reasons: list[Reason] = field(default_factory=list)
    similarity: float | None = None
    people: list[str] = field(default_factory=list)  # the article's people it shows
    series_id: int | None = None
    # The other frames of its series that matched too (shown as "+N similar" when collapsed).
    frames: list[Result] = field(default_factory=list)

    @property
    def reason_texts(self) -> list[str]:
        return [reason.text for reason in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        image, site = self.image, host()
        created = site.image_added(image)
        file = site.image_file(image)
        url = file.url if file else None
        return {
            "id": image.pk,
            "title": site.image_title(image),
            "original_filename": site.image_file_name(image),
            "score": round(self.score, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "reason_texts": self.reason_texts,
            "caption": site.image_caption(image),
            "credit": site.image_credit(image),
            "rights": site.image_rights(image),
            "created": created.isoformat() if created else None,
            "width": getattr(image, "width", None),
            "height": getattr(image, "height", None),
            "people": self.people,
            # No thumbnail renditions exist yet: the file itself (the panel sizes it).
            "thumbnail_url": url,
            "file_url": url,
            "series": (
                None
                if self.series_id is None
                else {"id": self.series_id, "similar_count": len(self.frames)}
            ),
            "similar": [frame.as_dict() for frame in self.frames],
        }


@timed("search")
def search_images(
    text: str,
    limit: int = 10,
    filters: Filters | None = None,
    *,
    options: RankingOptions | None = None,
) -> list[Result]:
    """Images for a free-text query, best first (no usage boosts, no diversification); photos
    showing a person the query names come first ("shows <name>")."""
    text = text.strip()
    if not text:
        return []
    options = options or RankingOptions.for_search(keyword_weight=keyword_weight_for(text))
    people = people_in_text(text)
    return _rank([text], text, filters or Filters(), limit, options, people=people)


# Distinct words the keyword side matches: six text fields x 150 stay under OpenSearch's 1,024
# clauses per query; an article's title, summary, key phrases and names fit well within it.
MAX_KEYWORD_TERMS = 150


def keyword_weight_for(text: str) -> float:
    """A query of a few words is a lookup (a name, a place, a word printed in the photo): its
    exact matches weigh fully. A sentence describes a scene, which the vectors understand
    better; its keyword side weighs KEYWORD_WEIGHT (README, "Photos without words")."""
    conf = photodesk_settings
    if len(tokens(text)) <= conf.SHORT_QUERY_WORDS:
        return max(conf.KEYWORD_WEIGHT, conf.SHORT_QUERY_KEYWORD_WEIGHT)
    return conf.KEYWORD_WEIGHT


def default_suggestion_filters() -> Filters:
    """What suggestions leave out unless told: images flagged unsafe, and images whose
    usage terms forbid reuse."""
    return Filters(rights_in=reusable_rights(), exclude_flagged=True)


@timed("suggest")
def suggest_for_text(
    title: str = "",
    body: str = "",
    *,
    limit: int = 10,
    filters: Filters | None = None,
    exclude_ids: set[int] | frozenset = frozenset(),
    options: RankingOptions | None = None,
    all_frames: bool = False,
) -> list[Result]:
    """Images for an article's text (saved or not), best first, diversified. `filters`
    replaces the defaults (default_suggestion_filters) when given. Of a series (a burst) only
    the best frame is listed, the others that matched in its `frames`, unless `all_frames`."""
    built = build_article_query(title, body)
    if not any(t.strip() for t in built.texts):
        return []
    filters = replace(filters) if filters is not None else default_suggestion_filters()
    if exclude_ids:
        filters.exclude_ids = set(filters.exclude_ids) | set(exclude_ids)
    people = people_named(built)
    return _rank(
        built.texts,
        built.keywords,
        filters,
        limit,
        options or RankingOptions.for_suggestions(),
        people=people,
        collapse_series=photodesk_settings.SERIES and not all_frames,
    )


def suggest_for_article(
    article: Any = None,
    *,
    title: str = "",
    body: str = "",
    limit: int = 10,
    filters: Filters | None = None,
    options: RankingOptions | None = None,
    all_frames: bool = False,
) -> list[Result]:
    """Images for an article (an instance of the site's article model, read through the host,
    or the text itself); images it already uses (its lead image, those in its body) are left
    out."""
    exclude: set[int] = set()
    if article is not None:
        title, body = host().article_text(article)
        exclude = host().article_images(article)
    return suggest_for_text(
        title,
        body,
        limit=limit,
        filters=filters,
        exclude_ids=exclude,
        options=options,
        all_frames=all_frames,
    )


@timed("similar")
def similar_images(image: Any, limit: int = 10, filters: Filters | None = None) -> list[Result]:
    """Images closest in meaning to this one ("more like this")."""
    vector = get_index().vector(image.pk)
    if vector is None:
        analysis = ImageAnalysis.objects.indexable().filter(image=image).first()
        if analysis is None:
            return []
        vector = analysis.vector
    filters = replace(filters) if filters is not None else Filters()
    filters.exclude_ids = set(filters.exclude_ids) | {image.pk}
    query = SearchQuery(vectors=[vector], filters=filters, limit=limit)
    return _results(get_index().search(query), [vector])


def people_named(built: ArticleQuery) -> list[Person]:
    """People in the archive the article names (exact name or alias, any case or accents):
    anywhere in its text, and the entities spaCy found."""
    found = {person.pk: person for person in people_in_text(built.keywords)}
    for name in built.names("PERSON", "ORG", "NORP"):  # small models mislabel some names
        for person in Person.objects.named(name):
            found[person.pk] = person
    return list(found.values())


def _rank(
    texts: list[str],
    keywords: str,
    filters: Filters,
    limit: int,
    options: RankingOptions,
    people: list[Person] = (),
    collapse_series: bool = False,
) -> list[Result]:
    vectors = list(embedding.query_vectors(texts)) if options.use_vectors else []
    query = SearchQuery(
        vectors=vectors,
        keywords=bounded_terms(keywords, MAX_KEYWORD_TERMS) if options.use_keywords else "",
        filters=filters,
        limit=max(limit, options.pool),
        keyword_weight=options.keyword_weight,
        fusion=options.fusion,
        field_weights=options.field_weights,
    )
    index = get_index()
    hits = index.search(query)
    images = get_image_model().objects.in_bulk([hit.id for hit in hits])
    candidates = [
        Candidate(hit=hit, image=images[hit.id], score=hit.score)
        for hit in hits
        if hit.id in images  # vanished since it was indexed
    ]
    shown = _people_shown([c.image.pk for c in candidates], people)
    adjust(candidates, options, shown)
    frames: dict[int, list[Candidate]] = {}
    if collapse_series:
        candidates, frames = _one_frame_per_series(candidates)
    if options.mmr_lambda < 1.0 or options.duplicate_similarity <= 1.0:
        stored = {c.image.pk: c.hit.vector for c in candidates if c.hit.vector is not None}
        stored.update(index.vectors(c.image.pk for c in candidates if c.image.pk not in stored))
        candidates = diversify(candidates, stored, limit, options)
    results = _results(candidates[:limit], vectors, keywords, shown)
    if collapse_series:
        _attach_frames(results, frames, vectors, keywords, shown)
    return results


def _one_frame_per_series(
    candidates: list[Candidate],
) -> tuple[list[Candidate], dict[int, list[Candidate]]]:
    """Candidates in rank order with one frame per series (see series.queries.collapse)."""
    by_id = {c.image.pk: c for c in candidates}
    kept, others = series_queries.collapse([c.image.pk for c in candidates])
    frames = {i: [by_id[o] for o in others.get(i, [])] for i in kept}
    return [by_id[i] for i in kept], frames


def _attach_frames(
    results: list[Result],
    frames: dict[int, list[Candidate]],
    vectors: list[np.ndarray],
    keywords: str,
    shown: dict[int, list[str]],
) -> None:
    membership = series_queries.series_of([r.image.pk for r in results])
    wanted = [c for r in results for c in frames.get(r.image.pk, [])]
    found = {r.image.pk: r for r in _results(wanted, vectors, keywords, shown)} if wanted else {}
    # The other frames best first, as the series scored them: the alternatives worth a look.
    scores = series_queries.frame_scores([c.image.pk for c in wanted])
    for result in results:
        if result.image.pk in membership:
            result.series_id = membership[result.image.pk][0]
            result.frames = sorted(
                (found[c.image.pk] for c in frames.get(result.image.pk, []) if c.image.pk in found),
                key=lambda r: -scores.get(r.image.pk, 0.0),
            )


def _people_shown(image_ids: list[int], people: list[Person]) -> dict[int, list[str]]:
    if not people or not image_ids:
        return {}
    shown = people_shown_by_image(image_ids, among=people)
    return {
        image_id: list(dict.fromkeys(p.name for p in found)) for image_id, found in shown.items()
    }


def _results(
    ranked: list[Candidate] | list[Hit],
    query_vectors: list[np.ndarray],
    query_text: str = "",
    shown: dict[int, list[str]] | None = None,
) -> list[Result]:
    """Results with reasons, in the given order; images deleted meanwhile are skipped."""
    candidates = [
        c if isinstance(c, Candidate) else Candidate(hit=c, image=None, score=c.score)
        for c in ranked
    ]
    ids = [c.hit.id for c in candidates]
    missing = [c.hit.id for c in candidates if c.image is None]
    images = get_image_model().objects.in_bulk(missing) if missing else {}
    analyses = {a.image_id: a for a in ImageAnalysis.objects.filter(image_id__in=ids)}
    lent = borrowed.stored_lenders(ids)
    # What the reasons read per image, read for the whole page at once.
    usage = usage_by_image(ids)
    rejected = rejected_classes_by_image(ids)
    tags: dict[int, list[ImageLabel]] = {}
    for row in ImageLabel.objects.visible().filter(image_id__in=ids).select_related("label"):
        tags.setdefault(row.image_id, []).append(row)
    results = []
    for c in candidates:
        image = c.image or images.get(c.hit.id)
        if image is None:
            continue
        reasons = explain(
            c.hit,
            analyses.get(c.hit.id),
            tags.get(c.hit.id, []),
            query_vectors,
            query_text,
            lent=lent.get(c.hit.id, []),
            usage=usage.get(c.hit.id, []),
            rejected=rejected.get(c.hit.id, set()),
        )
        # Boosts and penalties first among the reasons: they are what a journalist checks.
        reasons = [r for r in c.reasons if r.kind == "person"] + reasons
        reasons += [r for r in c.reasons if r.kind != "person"]
        results.append(
            Result(
                image=image,
                score=c.score,
                reasons=reasons,
                similarity=c.hit.similarity,
                people=(shown or {}).get(image.pk, []),
            )
        )
    return results
