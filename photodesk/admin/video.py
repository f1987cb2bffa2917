"""The video page's timeline in the admin: the player, shots as thumbnails along the video,
labels, people and text as bars; a bar plays the video from its start (an HTML5 time
fragment). A site's video ModelAdmin declares VideoTimelineMixin and shows
"photodesk_timeline"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from photodesk.analysis.video.timeline import clock
from photodesk.host import host
from photodesk.models import VideoAnalysis

# Label rows shown: the most confident ones (a long video has hundreds of labels).
LABEL_ROWS = 12


def _bar(start: float, end: float, duration: float, title: str) -> dict[str, Any]:
    duration = duration or 1.0
    return {
        "start": round(start, 2),
        "end": round(end, 2),
        "left": round(100 * start / duration, 3),
        "width": max(0.5, round(100 * (end - start) / duration, 3)),
        "title": f"{title}, {clock(start)}–{clock(end)}",
    }


def timeline(video: Any) -> dict[str, Any]:
    """What the timeline shows, positions in % of the duration."""
    analysis = VideoAnalysis.objects.filter(video_id=video.pk).first() if video.pk else None
    file = host().video_file(video) if video.pk else None
    context: dict[str, Any] = {"analysis": analysis, "file_url": file.url if file else ""}
    if analysis is None or analysis.status != VideoAnalysis.Status.DONE:
        return context
    duration = analysis.duration
    labels: dict[str, list] = {}
    best: dict[str, float] = {}
    for r in analysis.labels.all():
        labels.setdefault(r.name, []).append(_bar(r.start, r.end, duration, r.name))
        best[r.name] = max(best.get(r.name, 0.0), r.confidence)
    top = sorted(best, key=lambda name: -best[name])[:LABEL_ROWS]
    people: dict[str, list] = {}
    for span in analysis.people.select_related("person"):
        name = span.person.name
        people.setdefault(name, []).append(_bar(span.start, span.end, duration, name))
    context.update(
        duration=duration,
        duration_text=clock(duration),
        shots=[
            {
                **_bar(s.start, s.end, duration, f"Shot {s.shot + 1}"),
                "thumbnail": s.thumbnail.url if s.thumbnail else "",
            }
            for s in analysis.shots.all()
        ],
        people=sorted(people.items()),
        labels=[(name, round(best[name]), labels[name]) for name in top],
        texts=[
            _bar(t.start, t.end, duration, t.text) | {"text": t.text} for t in analysis.texts.all()
        ],
        poster_time=analysis.poster_time,
    )
    return context


def render_timeline(video: Any) -> SafeString:
    return render_to_string("semantic_search/video_timeline.html", timeline(video))


class VideoTimelineMixin:
    """Add "photodesk_timeline" to readonly_fields/fieldsets of a video ModelAdmin."""

    @admin.display(description="Timeline")
    def photodesk_timeline(self, obj) -> SafeString:
        return render_timeline(obj)

    @admin.display(description="Analysis")
    def video_analysis_status(self, obj) -> str:
        analysis = VideoAnalysis.objects.filter(video_id=obj.pk).first()
        return analysis.get_status_display() if analysis else "—"
