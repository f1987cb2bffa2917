"""Labels with confidence from the ImageNet classifier, the evidence search uses, and the
classifier's visual embedding (for "more like this")."""

from __future__ import annotations

import numpy as np

from photodesk.analysis.analyzers.base import Analyzer, Detection, Facts, Photo
from photodesk.conf import photodesk_settings
from photodesk.inference.classifier import ImageNetClassifier, load_class_names, softmax
from photodesk.inference.registry import get_model
from photodesk.labels.imagenet import class_name, concept_scores

# Search evidence: softened probabilities (temperature 2) averaged over the views, top 10
# renormalised. Softer than the classifier's own confidence because a near-miss class
# ("Egyptian cat" for a tabby) still says something true; measured in benchmarks/quality.py.
EVIDENCE_TEMPERATURE = 2.0
EVIDENCE_TOP = 10
# Labels shown to people: plain probabilities, counted if clear in any view (max) and tempered
# by how consistently they are seen (mean).
LABEL_TOP = 25


def label_probabilities(logits: np.ndarray) -> np.ndarray:
    probs = softmax(logits)
    return 0.5 * probs.max(axis=0) + 0.5 * probs.mean(axis=0)


def search_evidence(logits: np.ndarray) -> dict[int, float]:
    probs = softmax(logits, EVIDENCE_TEMPERATURE).mean(axis=0)
    top = np.argsort(-probs)[:EVIDENCE_TOP]
    weights = probs[top] / probs[top].sum()
    return {int(i): round(float(w), 5) for i, w in zip(top, weights, strict=True)}


class LabelAnalyzer(Analyzer):
    key = "labels"

    def models(self) -> list:
        return [
            get_model(
                ImageNetClassifier,
                photodesk_settings.model_dir,
                photodesk_settings.INFERENCE_THREADS,
                arch=arch,
                engine=photodesk_settings.INFERENCE_ENGINE,
            )
            for arch in photodesk_settings.CLASSIFIERS
        ]

    def analyze(self, photo: Photo) -> Facts:
        return self._facts([model.predict(photo.working) for model in self.models()])

    def analyze_batch(self, photos: list[Photo]) -> list[Facts]:
        pixels = [photo.working for photo in photos]
        per_model = [model.predict_batch(pixels) for model in self.models()]
        return [self._facts(list(outputs)) for outputs in zip(*per_model, strict=True)]

    def _facts(self, outputs: list[tuple[np.ndarray, np.ndarray]]) -> Facts:
        """Facts from each classifier's (view logits, embedding) for one photo."""
        logits = np.mean([o[0] for o in outputs], axis=0)  # one class space: averaged
        # Each network's embedding is a space of its own (averaging two is meaningless): the
        # visual vector is the first configured classifier's.
        visual = np.asarray(outputs[0][1], dtype=np.float32)
        names = load_class_names(photodesk_settings.model_dir)
        probs = label_probabilities(logits)
        source = "+".join(m.name for m in self.models())
        minimum = photodesk_settings.LABEL_MIN_CONFIDENCE / 100
        top = [int(i) for i in np.argsort(-probs)[:LABEL_TOP] if probs[i] >= minimum]
        labels: list[Detection] = [
            {
                "name": class_name(i, names),
                "index": i,
                "confidence": round(float(probs[i]) * 100, 1),
                "source": source,
                "kind": "class",
            }
            for i in top
        ]
        concepts = concept_scores({i: float(probs[i]) for i in np.argsort(-probs)[:LABEL_TOP]})
        labels += [
            {"name": concept, "confidence": round(p * 100, 1), "source": source, "kind": "concept"}
            for concept, p in concepts.items()
            if p >= minimum
        ]
        labels.sort(key=lambda label: -label["confidence"])
        return {
            "labels": labels,
            "concepts": {str(k): v for k, v in search_evidence(logits).items()},
            "visual_embedding": visual.tobytes(),
        }
