"""Faces: how many, and where (issue #6 adds embeddings, expressions and people)."""

from __future__ import annotations

from typing import Any

from ..conf import photodesk_settings
from ..inference.faces import FaceDetector
from ..inference.registry import get_model
from .base import Analyzer, Photo

# dlib's HOG scores below this are mostly textures that look like a face.
MIN_SCORE = 0.3


class FaceAnalyzer(Analyzer):
    key = "faces"

    def models(self) -> list:
        return [
            get_model(
                FaceDetector, photodesk_settings.model_dir, photodesk_settings.INFERENCE_THREADS
            )
        ]

    def analyze(self, photo: Photo) -> dict[str, Any]:
        faces = [f for f in self.models()[0].predict(photo.pixels) if f["score"] >= MIN_SCORE]
        return {"faces": faces, "face_count": len(faces)}
