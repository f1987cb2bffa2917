"""Safety: a score and a flagged state (flagged images stay out of suggestions by default)."""

from __future__ import annotations

from photodesk.analysis.analyzers.base import Analyzer, Facts, Photo
from photodesk.conf import photodesk_settings
from photodesk.inference.registry import get_model
from photodesk.inference.safety import SafetyClassifier


class SafetyAnalyzer(Analyzer):
    key = "safety"

    def models(self) -> list:
        return [
            get_model(
                SafetyClassifier,
                photodesk_settings.model_dir,
                photodesk_settings.INFERENCE_THREADS,
                engine=photodesk_settings.INFERENCE_ENGINE,
            )
        ]

    def analyze(self, photo: Photo) -> Facts:
        return _facts(self.models()[0].predict(photo.working))

    def analyze_batch(self, photos: list[Photo]) -> list[Facts]:
        scores = self.models()[0].predict_batch([photo.working for photo in photos])
        return [_facts(score) for score in scores]


def _facts(score: float) -> Facts:
    return {
        "safety_score": round(score, 4),
        "flagged": score >= photodesk_settings.SAFETY_FLAG_THRESHOLD,
    }
