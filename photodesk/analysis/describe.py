"""From an image's facts to what search works on: a descriptive text and a vector.

There is no joint image-text model offline here (no CLIP), so the image is placed in the text
embedding space through what the classifier saw: the "soft label" vector
    v = sum over its top classes c of w_c * (E(prompt_c) - mean of E over all 1000 prompts)
where w_c are the softened class probabilities and prompt_c reads like "a photo of a golden
retriever, a kind of dog / puppy." Keeping the classifier's uncertainty beats embedding a
top-1 label string; subtracting the mean prompt removes what every "a photo of ..." shares.
Words people wrote (caption, IPTC) are embedded and added; a photo without them may borrow
those of its visually nearest photos (borrowed.py, BORROW_WORDS). Query vectors are plain sentence
embeddings of the query text, so cosine similarity works directly.
With a joint image–text model (CLIP_MODEL_DIR) the image's vector is simply its own visual
embedding, which that model's text side is trained to match.
Measured in benchmarks/quality.py; the recipe's ablation is in the README.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import numpy as np

from photodesk.analysis.borrowed import Lent, borrowed_vector
from photodesk.analysis.embedding import embedder, embedding_model_name
from photodesk.conf import photodesk_settings
from photodesk.host import human_text, written_text
from photodesk.inference.classifier import load_class_names
from photodesk.labels.imagenet import class_name, class_prompt
from photodesk.labels.zero_shot import own_image_vector
from photodesk.models import UsageWords

# Weight of the written-text part of the image vector relative to the classifier part.
WEIGHT_WRITTEN_TEXT = 1.0
# Weight of the image's own vector from a joint image-text model (Bedrock Titan multimodal):
# the strongest evidence there is, so twice the others (not tuned: no such model offline).
WEIGHT_IMAGE_EMBEDDING = 2.0


class ClassPrompts:
    """Embeddings of the 1000 class prompts: computed once, cached on disk by content."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._source: tuple | None = None
        self._vectors: np.ndarray | None = None
        self._mean: np.ndarray | None = None

    def _load(self) -> None:
        # The prompts depend only on the class names file and the text model: rebuild (and
        # re-hash 1000 prompts) only when one of those changes, not on every call.
        source = (
            str(photodesk_settings.model_dir),
            str(photodesk_settings.cache_dir),
            embedding_model_name(),
        )
        if source == self._source:
            return
        names = load_class_names(photodesk_settings.model_dir)
        prompts = [class_prompt(i, names) for i in range(len(names))]
        key = hashlib.sha256(("\n".join(prompts) + embedding_model_name()).encode()).hexdigest()[
            :16
        ]
        cache = photodesk_settings.cache_dir / f"class-prompts-{key}.npy"
        try:
            vectors = np.load(cache)
        except (FileNotFoundError, ValueError):
            vectors = embedder().predict(prompts)
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{threading.get_ident()}.tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(cache)
        self._names, self._vectors, self._mean = names, vectors, vectors.mean(0)
        self._source = source

    def ensure(self) -> None:
        with self._lock:
            self._load()

    def label(self, index: int) -> str:
        self.ensure()
        return class_name(index, self._names)

    def vectors(self, indices: list[int]) -> np.ndarray:
        self.ensure()
        return self._vectors[indices]

    def centred(self, indices: list[int]) -> np.ndarray:
        self.ensure()
        return self._vectors[indices] - self._mean


class_texts = ClassPrompts()


def description(image: Any, analysis: Any, lent: list[Lent] = ()) -> str:
    """A readable sentence of what the image shows (stored, shown in the admin); `lent`: the
    words similar photos lend it (borrowed.lent_words)."""
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
    if lent:
        parts.append(borrowed_summary(lent))
    parts.extend(row.source for row in usage_words(image))
    return "; ".join(parts)


# The most articles whose words enter one image's vector: the latest.
MAX_USAGE_ARTICLES = 20


def usage_words(image: Any) -> list[UsageWords]:
    """The words the articles that use the image lend it (not those an editor removed)."""
    if getattr(image, "pk", None) is None:
        return []
    return list(UsageWords.objects.active().filter(image_id=image.pk)[:MAX_USAGE_ARTICLES])


def borrowed_summary(lent: list, limit: int = 3) -> str:
    """'looks like photos captioned “a dog on grass” (0.82), …' — the strongest lenders, with
    their visual similarity."""
    quoted = ", ".join(f"“{w.text[:80]}” ({w.similarity:.2f})" for w in lent[:limit])
    return f"looks like photos captioned {quoted}"


def image_vector(
    image: Any,
    analysis: Any,
    excluded: set[int] | frozenset = frozenset(),
    lent: list[Lent] = (),
) -> np.ndarray:
    """The image's vector; `excluded` classes (rejected by a person) do not count; `lent`:
    the words similar photos lend it."""
    model = embedder()
    if getattr(model, "joint", False):
        own = own_image_vector(analysis, model)
        if own is not None:
            return (own / max(float(np.linalg.norm(own)), 1e-9)).astype(np.float32)
        # Not embedded by this model (pipeline.embed makes it first): placed by its facts.
    total = np.zeros(embedder().dimension, np.float32)
    evidence = {
        int(k): float(v) for k, v in (analysis.concepts or {}).items() if int(k) not in excluded
    }
    if evidence:
        indices = list(evidence)
        weights = np.array([evidence[i] for i in indices], np.float32)
        soft = weights @ class_texts.centred(indices)
        total += soft / max(float(np.linalg.norm(soft)), 1e-9)
    image_embedding = getattr(analysis, "image_embedding", None)
    if image_embedding is not None and getattr(embedder(), "embeds_images", False):
        seen = np.frombuffer(bytes(image_embedding), np.float32)
        if seen.shape == total.shape:  # made by this embedder (its dimension, at least)
            total += WEIGHT_IMAGE_EMBEDDING * seen / max(float(np.linalg.norm(seen)), 1e-9)
    named = provider_evidence(analysis)
    if named:
        vectors = embedder().predict([f"a photo of {name}" for name in named])
        soft = np.array(list(named.values()), np.float32) @ vectors
        total += soft / max(float(np.linalg.norm(soft)), 1e-9)
    text = written_text(image, analysis)
    if text:
        total += WEIGHT_WRITTEN_TEXT * embedder().predict([text])[0]
    used = usage_words(image)
    if used and photodesk_settings.USAGE_WORDS_WEIGHT:
        # Weak words: the mean of the articles' words, a fixed share whatever their number.
        mean = embedder().predict([row.text for row in used]).mean(0)
        weight = photodesk_settings.USAGE_WORDS_WEIGHT
        total += weight * mean / max(float(np.linalg.norm(mean)), 1e-9)
    if lent:
        # The neighbours' words, similarity-weighted: what people said about photos like it.
        # Scaled by how many neighbours lent: one lone lender (an archive where almost nobody
        # wrote anything) must not pull every photo near it to its words.
        weight = photodesk_settings.BORROW_WEIGHT * len(lent) / photodesk_settings.BORROW_NEIGHBOURS
        total += weight * borrowed_vector(lent)
    norm = float(np.linalg.norm(total))
    return (total / norm if norm > 0 else total).astype(np.float32)


# Named detections of a provider (Rekognition) that go into the vector: the most confident.
PROVIDER_EVIDENCE_TOP = 10


def provider_evidence(analysis: Any) -> dict[str, float]:
    """Label names a provider (Rekognition) gave, without classifier indices → weight. They
    place the image in the text space the way ImageNet evidence does, weighted by confidence."""
    named = [
        d
        for d in analysis.labels or []
        if d.get("provider") and d.get("kind") == "class" and d.get("confidence", 0) > 0
    ]
    named.sort(key=lambda d: -d["confidence"])
    return {d["name"].lower(): d["confidence"] / 100 for d in named[:PROVIDER_EVIDENCE_TOP]}
