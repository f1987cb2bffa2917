"""Labels from a joint image–text model, zero-shot: no classifier class maps to them.

Each active leaf label is read as prompts (CLIP_PROMPTS: "a photo of {label}.", averaged over
the templates); the image's own vector is compared with each, and the cosines become
confidences by a softmax over the leaves with the model's temperature (CLIP_TEMPERATURE).
Parents get their child's confidence as with any evidence, so "animal" is not competing with
"dog". A new label needs only its prompts embedded: it reaches the whole archive without an
image model running. The routing (thresholds, review queue) is rules.route's, unchanged.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from photodesk.conf import photodesk_settings
from photodesk.labels.rules import Candidate, Candidates, add_candidate
from photodesk.models import ImageAnalysis, Label

# Confidences (0–100) below this are not candidates at all (a softmax over many labels gives
# every one a little); far under any review threshold.
NEGLIGIBLE = 0.5

_lock = threading.Lock()
# (model name, version, prompt) → unit vector; label prompts are few and repeat.
_prompt_vectors: dict[tuple[str, str, str], np.ndarray] = {}


def image_embedding_versions(model: Any) -> dict[str, str]:
    """What an analysis records for an image embedding made by `model`."""
    return {model.name: model.version}


def own_image_vector(analysis: ImageAnalysis, model: Any) -> np.ndarray | None:
    """The image's stored vector if `model` (this name and version of its files) made it."""
    if analysis.image_embedding is None:
        return None
    if (analysis.model_versions or {}).get("image_embedding") != image_embedding_versions(model):
        return None
    vector = np.frombuffer(bytes(analysis.image_embedding), np.float32)
    return vector if vector.shape == (model.dimension,) else None


def temperature(model: Any) -> float:
    temperatures = photodesk_settings.CLIP_TEMPERATURE
    if isinstance(temperatures, int | float):
        return float(temperatures)
    return float(temperatures.get(model.name, temperatures.get("default", 0.01)))


def source(model: Any) -> str:
    return f"zero-shot:{model.name}@{model.version}"


def label_vectors(model: Any, labels: list[Label]) -> np.ndarray:
    """One unit vector per label: the mean of its prompts' embeddings."""
    templates = photodesk_settings.CLIP_PROMPTS
    prompts = [template.format(label=label.name) for label in labels for template in templates]
    key = (model.name, model.version)
    missing = [p for p in dict.fromkeys(prompts) if (*key, p) not in _prompt_vectors]
    if missing:
        vectors = model.predict(missing)
        with _lock:
            for prompt, vector in zip(missing, vectors, strict=True):
                _prompt_vectors[(*key, prompt)] = vector
    stacked = np.stack([_prompt_vectors[(*key, p)] for p in prompts])
    means = stacked.reshape(len(labels), len(templates), -1).mean(axis=1)
    return means / np.clip(np.linalg.norm(means, axis=1, keepdims=True), 1e-12, None)


def leaf_labels() -> list[Label]:
    """Active labels with no active child (the ones that compete for an image)."""
    labels = list(Label.objects.active().select_related("parent"))
    parents = {label.parent_id for label in labels if label.parent_id}
    return [label for label in labels if label.pk not in parents]


def confidences(model: Any, vector: np.ndarray, labels: list[Label]) -> np.ndarray:
    """0–100 per label: softmax over the labels of cosine / temperature."""
    logits = label_vectors(model, labels) @ vector / temperature(model)
    logits = logits - logits.max()
    probs = np.exp(logits)
    return 100.0 * probs / probs.sum()


def zero_shot_candidates(analysis: ImageAnalysis, model: Any) -> Candidates:
    """Candidates for every active leaf label (and its parents), when `model` is a joint
    model that made this image's vector; nothing otherwise."""
    if model is None or not photodesk_settings.CLIP_ZERO_SHOT_LABELS:
        return {}
    vector = own_image_vector(analysis, model)
    labels = leaf_labels()
    if vector is None or not labels:
        return {}
    candidates: Candidates = {}
    origin = source(model)
    for label, confidence in zip(labels, confidences(model, vector, labels), strict=True):
        if confidence < NEGLIGIBLE:
            continue
        lineage = [label, *label.ancestors()]
        add_candidate(candidates, lineage, Candidate(round(float(confidence), 2), origin))
    return candidates
