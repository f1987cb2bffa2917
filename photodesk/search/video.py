"""Finding videos, each at its best-matching moment, beside the stills.

    search_videos(text, limit)          videos for a free query, best shot each
    suggest_videos_for_text(title, body)  video shots for an article, beside its photos
    videos_in_suggestions()             whether suggestions offer video shots here
    search_media(text, limit, media)    images and videos in one list ("image", "video", None)
    videos_with(person)                 "videos with <person>, at 0:12–0:40, 2:05–2:31"

A video is indexed as one document per shot (indexing.build_video_documents); the index ranks
shots like images (kNN + BM25, fused), and the best shot of each video stands for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from photodesk.analysis import embedding
from photodesk.analysis.video.timeline import clock
from photodesk.conf import photodesk_settings
from photodesk.extras import installed
from photodesk.host import get_video_model, host
from photodesk.models import Person, VideoAnalysis, VideoPersonSpan, VideoShot
from photodesk.people.queries import people_in_text
from photodesk.search.index import Filters, SearchQuery, get_index
from photodesk.search.index.base import video_of
from photodesk.search.ranking import RankingOptions
from photodesk.search.service import (
    MAX_KEYWORD_TERMS,
    default_suggestion_filters,
    people_named,
    search_images,
)
from photodesk.search.text.query import build_article_query
from photodesk.search.text.tokens import bounded_terms

PUNCTUATION = ".,:;!?\"'()“”‘’"
# Shots ranked per video asked for: a video's several shots compete for the same places.
SHOTS_PER_RESULT = 8


@dataclass
class VideoResult:
    video: Any
    shot: VideoShot
    score: float
    similarity: float | None
    reasons: list[str] = field(default_factory=list)

    @property
    def at(self) -> float:
        """The moment to play from: the start of the best-matching shot."""
        return self.shot.start

    @property
    def moment_text(self) -> str:
        """ "at 01:23 — looks like a fire truck" """
        what = self.reasons[0] if self.reasons else "this shot"
        return f"at {clock(self.at)} — {what}"

    def as_dict(self) -> dict[str, Any]:
        site = host()
        file = site.video_file(self.video)
        return {
            "kind": "video",
            "id": self.video.pk,
            "title": site.video_title(self.video),
            "score": round(self.score, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "at": round(self.at, 2),
            "end": round(self.shot.end, 2),
            "range": f"{clock(self.at)}–{clock(self.shot.end)}",
            # The frame that was analysed (and matched): what a still should show.
            "frame": round(self.shot.frame_time, 3),
            "moment": self.moment_text,
            "reason_texts": self.reasons,
            "thumbnail_url": self.shot.thumbnail.url if self.shot.thumbnail else None,
            "file_url": f"{file.url}#t={self.at:.1f}" if file else None,
            "admin_url": site.video_admin_url(self.video),
            # The video's page with its timeline, playing from this shot.
            "timeline_url": _at(site.video_admin_url(self.video), self.at),
        }


def _at(url: str, seconds: float) -> str:
    return f"{url}#t={seconds:.1f}" if url else ""


def shot_reasons(shot: VideoShot, query: str, people: list[str]) -> list[str]:
    """What the shot shows that matters: the people the query names, its best label, the
    words read on screen the query shares."""
    reasons = [f"shows {name}" for name in people]
    classes = sorted(
        (d for d in shot.labels if d.get("kind") == "class"), key=lambda d: -d["confidence"]
    )
    if classes:
        reasons.append(f"looks like {classes[0]['name'].lower()}")
    words = {w.casefold().strip(PUNCTUATION) for w in query.split()}
    read = [w for w in shot.ocr_text.split() if w.casefold().strip(PUNCTUATION) in words]
    if read:
        reasons.append(f"reads “{' '.join(read)}”")
    return reasons


def search_videos(text: str, limit: int = 10, filters: Filters | None = None) -> list[VideoResult]:
    """Videos for a free-text query, best first, each at its best shot."""
    text = text.strip()
    if not text or get_video_model() is None:
        return []
    options = RankingOptions.for_search()
    return _rank_shots([text], text, filters, limit, options, people_in_text(text))


def videos_in_suggestions() -> bool:
    """Whether suggestions offer video shots: SUGGEST_VIDEOS, or when it is None, whenever
    the site has videos, the video extra is installed and a video has been analysed."""
    wanted = photodesk_settings.SUGGEST_VIDEOS
    if wanted is False or get_video_model() is None:
        return False
    if wanted is None:
        done = VideoAnalysis.objects.filter(status=VideoAnalysis.Status.DONE)
        return installed("video") and done.exists()
    return True


def suggest_videos_for_text(
    title: str = "",
    body: str = "",
    *,
    limit: int = 4,
    filters: Filters | None = None,
) -> list[VideoResult]:
    """Video shots for an article's text (saved or not), best first, one per video: the
    same query texts, keywords and named people as its photo suggestions (service
    .suggest_for_text), over the videos' shots. Unsafe shots and videos whose rights forbid
    reuse are left out unless `filters` says otherwise."""
    if get_video_model() is None:
        return []
    built = build_article_query(title, body)
    if not any(t.strip() for t in built.texts):
        return []
    options = RankingOptions.for_search(keyword_weight=photodesk_settings.SUGGEST_KEYWORD_WEIGHT)
    return _rank_shots(
        built.texts,
        bounded_terms(built.keywords, MAX_KEYWORD_TERMS),
        filters if filters is not None else default_suggestion_filters(),
        limit,
        options,
        people_named(built),
    )


def _rank_shots(
    texts: list[str],
    keywords: str,
    filters: Filters | None,
    limit: int,
    options: RankingOptions,
    named: list[Person],
) -> list[VideoResult]:
    """The index ranks shots like images; each video's best shot stands for it."""
    model = get_video_model()
    filters = replace(filters) if filters is not None else Filters()
    filters.media = "video"
    query = SearchQuery(
        vectors=list(embedding.query_vectors(texts)),
        keywords=keywords,
        filters=filters,
        limit=limit * SHOTS_PER_RESULT,
        keyword_weight=options.keyword_weight,
        fusion=options.fusion,
    )
    best: dict[int, Any] = {}
    for hit in get_index().search(query):
        video_id, number = video_of(hit.id)
        best.setdefault(video_id, (hit, number))
    chosen = list(best.items())[:limit]
    videos = model.objects.in_bulk([video_id for video_id, _ in chosen])
    shots = {
        (s.analysis.video_id, s.number): s
        for s in VideoShot.objects.select_related("analysis").filter(
            analysis__video_id__in=list(videos)
        )
    }
    results = []
    for video_id, (hit, number) in chosen:
        shot = shots.get((video_id, number))
        if video_id not in videos or shot is None:
            continue  # gone, or re-analysed since it was indexed
        shown = _people_in_shot(shot, named)
        results.append(
            VideoResult(
                video=videos[video_id],
                shot=shot,
                score=hit.score,
                similarity=hit.similarity,
                reasons=shot_reasons(shot, keywords, shown),
            )
        )
    return results


def _people_in_shot(shot: VideoShot, people: list[Person]) -> list[str]:
    if not people:
        return []
    spans = VideoPersonSpan.objects.filter(
        analysis_id=shot.analysis_id,
        person__in=people,
        start__lt=shot.end,
        end__gt=shot.start,
    ).select_related("person")
    return list(dict.fromkeys(span.person.name for span in spans))


def search_media(text: str, limit: int = 10, media: str | None = None) -> list[dict[str, Any]]:
    """Images and videos for a query in one list (`media`: "image", "video" or None for
    both), ordered by their similarity to the query."""
    found: list[tuple[float, dict[str, Any]]] = []
    if media in (None, "image"):
        for result in search_images(text, limit, Filters(media="image")):
            found.append((result.similarity or 0.0, {"kind": "image", **result.as_dict()}))
    if media in (None, "video") and get_video_model() is not None:
        for result in search_videos(text, limit):
            found.append((result.similarity or 0.0, result.as_dict()))
    found.sort(key=lambda pair: -pair[0])
    return [item for _, item in found[:limit]]


@dataclass
class VideoWithPerson:
    video: Any
    spans: list[tuple[float, float]]

    @property
    def text(self) -> str:
        times = ", ".join(f"{clock(a)}–{clock(b)}" for a, b in self.spans)
        return f"at {times}"


def videos_with(person: Person) -> list[VideoWithPerson]:
    """Videos a person is on screen in, with the intervals, longest presence first."""
    model = get_video_model()
    if model is None:
        return []
    spans: dict[int, list[tuple[float, float]]] = {}
    rows = VideoPersonSpan.objects.filter(
        person=person, analysis__status=VideoAnalysis.Status.DONE
    ).select_related("analysis")
    for span in rows.order_by("start"):
        spans.setdefault(span.analysis.video_id, []).append((span.start, span.end))
    videos = model.objects.in_bulk(list(spans))
    found = [VideoWithPerson(videos[v], s) for v, s in spans.items() if v in videos]
    return sorted(found, key=lambda f: -sum(b - a for a, b in f.spans))
