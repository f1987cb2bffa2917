"""From an image's facts to what search works on: a descriptive text, keyword fields, a vector.

There is no joint image-text model offline here (no CLIP), so the image is placed in the text
embedding space through what the analyzers saw. The vector is a weighted mean of
- the classifier evidence: sum of p(class) * E(text of that class and its concepts), the
  "soft label" embedding, which keeps the classifier's uncertainty instead of a top-1 string;
- people: faces found mean people, which ImageNet classes barely cover;
- human text: caption, headline, IPTC keywords, text read in the image.
Query vectors are plain sentence embeddings of the query text, so cosine works directly.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .analyzers.imagenet_concepts import class_name, concepts_of
from .conf import photodesk_settings
from .inference.classifier import load_class_names
from .inference.registry import get_model
from .inference.text_embedding import SentenceEmbedder

EMBEDDING_VERSION = "soft-labels-1"

# Relative weights of the parts of the image vector (measured in benchmarks/quality.py).
WEIGHT_CLASSES = 1.0
WEIGHT_PEOPLE = 0.5
WEIGHT_TEXT = 1.0


def embedder() -> SentenceEmbedder:
    return get_model(
        SentenceEmbedder, photodesk_settings.model_dir, photodesk_settings.INFERENCE_THREADS
    )


def embedding_model_name() -> str:
    model = embedder()
    return f"{model.name}@{model.version}/{EMBEDDING_VERSION}"


class _ClassTexts:
    """Embeddings of each ImageNet class's text, computed once per process on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vectors: dict[int, np.ndarray] = {}
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        if self._names is None:
            self._names = load_class_names(photodesk_settings.model_dir)
        return self._names

    def label(self, index: int) -> str:
        return class_name(index, self.names())

    def text(self, index: int) -> str:
        name = self.label(index)
        concepts = concepts_of(index)
        return f"a photo of a {name}" + (f", a {', '.join(concepts[:3])}" if concepts else "")

    def vectors(self, indices: list[int]) -> np.ndarray:
        missing = [i for i in indices if i not in self._vectors]
        if missing:
            computed = embedder().predict([self.text(i) for i in missing])
            with self._lock:
                self._vectors.update(zip(missing, computed, strict=True))
        return np.stack([self._vectors[i] for i in indices])


class_texts = _ClassTexts()

PEOPLE_TEXT = "people, a person, a man or a woman"


def written_text(image: Any, analysis: Any) -> str:
    """Words people wrote about the image: title, caption, IPTC headline and keywords."""
    meta = analysis.photo_metadata or {}
    parts = [
        getattr(image, "title", "") if _is_human_title(image) else "",
        getattr(image, "caption", ""),
        meta.get("headline", ""),
        meta.get("caption", ""),
        meta.get("description", ""),
        ", ".join(meta.get("keywords", [])),
    ]
    return ". ".join(p.strip() for p in parts if p and p.strip())


def human_text(image: Any, analysis: Any) -> str:
    """Written text plus the text read in the image."""
    ocr = analysis.ocr_text.replace("\n", " ").strip()
    return ". ".join(p for p in (written_text(image, analysis), ocr) if p)


def _is_human_title(image: Any) -> bool:
    """A title that only repeats the file name says nothing about the picture."""
    title = (getattr(image, "title", "") or "").strip()
    stem = (getattr(image, "original_filename", "") or "").rsplit(".", 1)[0]
    return bool(title) and title.replace(" ", "_").lower() != stem.lower()


def label_words(analysis: Any) -> list[str]:
    return [label["name"] for label in analysis.labels]


def description(image: Any, analysis: Any) -> str:
    """A readable sentence of what the image shows (stored, shown in the admin)."""
    classes = [label["name"] for label in analysis.labels if label.get("kind") == "class"][:5]
    concepts = [label["name"] for label in analysis.labels if label.get("kind") == "concept"][:5]
    parts = []
    if classes:
        parts.append("A photo of " + ", ".join(classes))
    if concepts:
        parts.append("showing " + ", ".join(concepts))
    if analysis.face_count:
        parts.append(f"{analysis.face_count} face{'s' if analysis.face_count > 1 else ''}")
    text = human_text(image, analysis)
    if text:
        parts.append(text)
    return "; ".join(parts)


def image_vector(image: Any, analysis: Any) -> np.ndarray:
    dim = embedder().dimension
    total = np.zeros(dim, np.float32)
    evidence = {int(k): float(v) for k, v in (analysis.concepts or {}).items()}
    if evidence:
        indices = list(evidence)
        weights = np.array([evidence[i] for i in indices], np.float32)
        soft = (weights[:, None] * class_texts.vectors(indices)).sum(axis=0)
        total += WEIGHT_CLASSES * soft / max(np.linalg.norm(soft), 1e-9)
    if analysis.face_count:
        strength = min(1.0, 0.5 + 0.25 * analysis.face_count)
        total += WEIGHT_PEOPLE * strength * embedder().predict([PEOPLE_TEXT])[0]
    text = human_text(image, analysis)
    if text:
        total += WEIGHT_TEXT * embedder().predict([text])[0]
    norm = np.linalg.norm(total)
    return total / norm if norm > 0 else total


def query_vector(text: str) -> np.ndarray:
    return embedder().predict([text])[0]


def query_vectors(texts: list[str]) -> np.ndarray:
    return embedder().predict(texts)
