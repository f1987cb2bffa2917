"""Faces: where they are, who they might be (128-d embedding), expression and quality.

Returns the face contract shared with other providers (FaceFact in base.py): each face is
{box, score, embedding (or None), expression, expression_confidence, quality, usable}. The
pipeline stores them as Face rows with `photodesk.people.recognition.store_faces`.
"""

from __future__ import annotations

import numpy as np

from photodesk.analysis.analyzers.base import Analyzer, FaceFact, Facts, Photo
from photodesk.conf import photodesk_settings
from photodesk.inference.blazeface import BlazeFaceDetector
from photodesk.inference.faces import (
    ExpressionClassifier,
    FaceDetector,
    FaceEmbedder,
    crop_box,
    face_quality,
)
from photodesk.inference.registry import get_model

# Detection scores (0-1) below this are mostly textures that look like a face (HOG margin 0.3).
MIN_SCORE = 0.15


def detector() -> FaceDetector | BlazeFaceDetector:
    threads = photodesk_settings.INFERENCE_THREADS
    if photodesk_settings.FACE_DETECTOR == "blazeface":
        # Its file comes out of the mediapipe wheel, as the face mesh's does.
        return get_model(BlazeFaceDetector, photodesk_settings.eyes_model_dir, threads)
    return get_model(
        FaceDetector, photodesk_settings.model_dir, threads, kind=photodesk_settings.FACE_DETECTOR
    )


def embedder() -> FaceEmbedder:
    return get_model(FaceEmbedder, photodesk_settings.model_dir, 1)


def expression_model() -> ExpressionClassifier:
    return get_model(ExpressionClassifier, photodesk_settings.model_dir, 1)


def recognition_on() -> bool:
    return bool(photodesk_settings.FACE_RECOGNITION)


def detect_faces(photo: Photo, with_embeddings: bool | None = None) -> list[FaceFact]:
    """Every face of one photo as the face-contract dict, best detection first."""
    if with_embeddings is None:
        with_embeddings = recognition_on()
    # Found on the shared working copy (what the detector needs); boxes in original pixels.
    scale = photo.working_scale
    found = [
        {**f, "box": [round(v / scale) for v in f["box"]]}
        for f in detector().predict(photo.working)
        if f["score"] >= MIN_SCORE
    ]
    if not found:
        return []
    faces: list[FaceFact] = []
    for f in found:
        # Crops of the full-size photo: a small face keeps all its pixels.
        crop = crop_box(photo.pixels, f["box"]).convert("L")
        quality, usable, _ = face_quality(crop, f["box"])
        expression, confidence = expression_model().predict(
            crop_box(photo.pixels, f["box"], 0.1).convert("L")
        )
        faces.append(
            {
                "box": f["box"],
                "score": f["score"],
                "embedding": None,
                "expression": expression,
                "expression_confidence": round(confidence, 3),
                "quality": quality,
                "usable": usable,
            }
        )
    if with_embeddings:
        pixels = np.asarray(photo.pixels)
        for face, vector in zip(
            faces, embedder().predict(pixels, [f["box"] for f in faces]), strict=True
        ):
            face["embedding"] = vector
    faces.sort(key=lambda face: -face["score"])
    return faces


class FaceAnalyzer(Analyzer):
    key = "faces"

    def models(self) -> list:
        models = [detector(), expression_model()]
        if recognition_on():
            models.append(embedder())
        return models

    def analyze(self, photo: Photo) -> Facts:
        # The pipeline keeps a summary on the analysis (no embeddings) and stores the whole
        # dicts as Face rows (photodesk.people.recognition.store_faces).
        faces = detect_faces(photo)
        return {"faces": faces, "face_count": len(faces)}
