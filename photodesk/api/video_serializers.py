"""What the API says about videos: a row, every fact with its times, the upload."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.reverse import reverse

from photodesk.host import host
from photodesk.models import VideoAnalysis


def _analysis(video: Any) -> VideoAnalysis | None:
    return VideoAnalysis.objects.filter(video_id=video.pk).first()


class VideoSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    url = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="pending, running, done or failed.")
    error = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField(help_text="Seconds.")

    def get_url(self, video: Any) -> str:
        return reverse(
            "photodesk-api:video-detail", args=[video.pk], request=self.context.get("request")
        )

    def get_title(self, video: Any) -> str:
        return host().video_title(video)

    def get_file_url(self, video: Any) -> str | None:
        file = host().video_file(video)
        return file.url if file else None

    def get_status(self, video: Any) -> str:
        analysis = _analysis(video)
        return analysis.status if analysis else VideoAnalysis.Status.PENDING

    def get_error(self, video: Any) -> str:
        analysis = _analysis(video)
        return analysis.error if analysis else ""

    def get_duration(self, video: Any) -> float | None:
        analysis = _analysis(video)
        return analysis.duration if analysis and analysis.duration else None


class RangeSerializer(serializers.Serializer):
    start = serializers.FloatField()
    end = serializers.FloatField()


class VideoDetailSerializer(VideoSerializer):
    shots = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()
    texts = serializers.SerializerMethodField()

    def get_shots(self, video: Any) -> list[dict[str, Any]]:
        analysis = _analysis(video)
        if analysis is None:
            return []
        return [
            {
                "number": s.number,
                "shot": s.shot,
                "start": s.start,
                "end": s.end,
                "frame_time": s.frame_time,
                "description": s.description,
                "thumbnail_url": s.thumbnail.url if s.thumbnail else None,
            }
            for s in analysis.shots.all()
        ]

    def get_labels(self, video: Any) -> list[dict[str, Any]]:
        analysis = _analysis(video)
        rows = analysis.labels.all() if analysis else []
        return [
            {
                "name": r.name,
                "start": r.start,
                "end": r.end,
                "confidence": r.confidence,
                "best_time": r.best_time,
            }
            for r in rows
        ]

    def get_people(self, video: Any) -> list[dict[str, Any]]:
        analysis = _analysis(video)
        rows = analysis.people.select_related("person") if analysis else []
        return [
            {"person": r.person_id, "name": r.person.name, "start": r.start, "end": r.end}
            for r in rows
        ]

    def get_texts(self, video: Any) -> list[dict[str, Any]]:
        analysis = _analysis(video)
        rows = analysis.texts.all() if analysis else []
        return [{"text": r.text, "start": r.start, "end": r.end} for r in rows]


class VideoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="MP4, MOV, WebM or MKV (found by content).")
    title = serializers.CharField(required=False, allow_blank=True, max_length=255)


class VideoResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    score = serializers.FloatField()
    similarity = serializers.FloatField(allow_null=True)
    at = serializers.FloatField(help_text="The best-matching moment, in seconds.")
    end = serializers.FloatField()
    frame = serializers.FloatField(help_text="The matching frame, in seconds (for a still).")
    moment = serializers.CharField(help_text='"at 01:23 — looks like a fire truck"')
    file_url = serializers.CharField(allow_null=True, help_text="With a #t= time fragment.")


class PersonVideoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    spans = RangeSerializer(many=True)
    text = serializers.CharField(help_text='"at 00:12–00:40, 02:05–02:31"')
