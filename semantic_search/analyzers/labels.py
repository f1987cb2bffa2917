"""Labels with confidence from the ImageNet classifiers, plus the broader concepts they imply."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from ..conf import photodesk_settings
from ..inference.classifier import ImageNetClassifier, load_class_names
from ..inference.registry import get_model
from .base import Analyzer, Photo
from .imagenet_concepts import class_name, concept_scores

# How much classifier evidence is kept per image (the rest is noise for search).
KEEP_TOP = 25
KEEP_MIN_PROB = 0.005


def pool_views(probs: np.ndarray) -> np.ndarray:
    """[views, classes] → [classes]: a thing seen clearly in any view counts (max), tempered by
    how consistently it is seen (mean)."""
    return 0.5 * probs.max(axis=0) + 0.5 * probs.mean(axis=0)


class LabelAnalyzer(Analyzer):
    key = "labels"

    @cached_property
    def classifiers(self) -> list[ImageNetClassifier]:
        return [
            get_model(
                ImageNetClassifier,
                photodesk_settings.model_dir,
                photodesk_settings.INFERENCE_THREADS,
                arch=arch,
            )
            for arch in photodesk_settings.CLASSIFIERS
        ]

    @cached_property
    def class_names(self) -> list[str]:
        return load_class_names(photodesk_settings.model_dir)

    def models(self) -> list:
        return self.classifiers

    def class_probabilities(self, photo: Photo) -> np.ndarray:
        pooled = [pool_views(model.predict(photo.pixels)[0]) for model in self.classifiers]
        return np.mean(pooled, axis=0)

    def analyze(self, photo: Photo) -> dict[str, Any]:
        probs = self.class_probabilities(photo)
        top = np.argsort(-probs)[:KEEP_TOP]
        evidence = {int(i): round(float(probs[i]), 4) for i in top if probs[i] >= KEEP_MIN_PROB}
        source = "+".join(m.name for m in self.classifiers)
        minimum = photodesk_settings.LABEL_MIN_CONFIDENCE
        labels = [
            {
                "name": class_name(i, self.class_names),
                "confidence": round(p * 100, 1),
                "source": source,
                "kind": "class",
            }
            for i, p in evidence.items()
            if p * 100 >= minimum
        ]
        labels += [
            {"name": concept, "confidence": round(p * 100, 1), "source": source, "kind": "concept"}
            for concept, p in concept_scores(evidence).items()
            if p * 100 >= minimum
        ]
        labels.sort(key=lambda label: -label["confidence"])
        return {"concepts": {str(k): v for k, v in evidence.items()}, "labels": labels}
