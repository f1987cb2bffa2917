"""Words borrowed from visually similar photos, for photos nobody wrote about.

An archive holds many photos with human words (agency captions, IPTC, titles) and many without
(staff uploads). The classifier only knows ImageNet's classes, so an uncaptioned photo's vector
is weak next to a captioned one's. Its nearest captioned neighbours by the classifier's visual
embedding are the best guess at what it shows: their words, weighted by similarity, join its
vector (describe.image_vector) — never its caption or the keyword side, and the reasons say
where they came from.

The search is exact (one matrix product over the photos that have words): a few milliseconds
at 10,000 photos, but memory and time grow linearly, so at a million photos it belongs in an
approximate index (usearch next to the embedded index, a second knn_vector field in OpenSearch).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Max

from photodesk.analysis.embedding import embedder, embedding_model_name
from photodesk.conf import photodesk_settings
from photodesk.host import written_text
from photodesk.models import ImageAnalysis

# A long-running process reloads the lenders at least this often (a caption edited on the
# site's image model changes no analysis row), and asks the database whether they changed at
# most this often (the reasons of every result ask).
MAX_AGE_SECONDS = 60.0
RECHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Lent:
    """Words lent by one similar photo: its text, its cosine and its weight (they sum to 1)."""

    image_id: int
    text: str
    similarity: float
    weight: float


def word_count(text: str) -> int:
    return len(text.split())


def needs_words(image: Any, analysis: Any) -> bool:
    return word_count(written_text(image, analysis)) < photodesk_settings.BORROW_BELOW_WORDS


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


class Lenders:
    """The photos that have human words: their ids, texts and unit visual embeddings."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._loaded_at = 0.0
        self._checked_at = -RECHECK_SECONDS
        self._seen: set[int] = set()  # every analysed photo read, with words or not
        self._entries: dict[int, tuple[str, np.ndarray]] = {}
        self.ids: list[int] = []
        self.texts: list[str] = []
        self.matrix = np.zeros((0, 0), np.float32)
        self._text_vectors: dict[int, np.ndarray] = {}

    @staticmethod
    def _rows():
        return ImageAnalysis.objects.done().exclude(visual_embedding=None)

    def _state(self) -> tuple:
        # New or re-analysed photos (finished_at) and deletions (count) change the set.
        state = self._rows().aggregate(Count("id"), Max("finished_at"))
        return (*state.values(), photodesk_settings.BORROW_BELOW_WORDS, embedding_model_name())

    def _read(self, rows) -> None:
        for analysis in rows.select_related("image").order_by("image_id").iterator(chunk_size=500):
            self._seen.add(analysis.image_id)
            self._text_vectors.pop(analysis.image_id, None)
            text = written_text(analysis.image, analysis)
            if word_count(text) < photodesk_settings.BORROW_BELOW_WORDS:
                self._entries.pop(analysis.image_id, None)
                continue
            visual = _unit(np.frombuffer(bytes(analysis.visual_embedding), np.float32))
            self._entries[analysis.image_id] = (text, visual)

    def _reload(self) -> None:
        self._seen, self._entries, self._text_vectors = set(), {}, {}
        self._read(self._rows())
        self._loaded_at = time.monotonic()

    def refresh(self, recheck: bool = True) -> None:
        """Bring the lenders up to date: newly analysed photos are added (ingest does not
        re-read the archive per photo); a deletion, a setting or text model change, or age
        reloads them all. Without `recheck`, a check made moments ago is trusted."""
        with self._lock:
            now = time.monotonic()
            stale = now - self._loaded_at >= MAX_AGE_SECONDS
            if not recheck and not stale and now - self._checked_at < RECHECK_SECONDS:
                return
            self._checked_at = now
            key = self._state()
            if key == self._key and not stale:
                return
            old, self._key = self._key, key
            if stale or old is None or old[2:] != key[2:] or old[1] is None or key[1] is None:
                self._reload()
            else:
                self._read(self._rows().filter(finished_at__gte=old[1]))
                if len(self._seen) != key[0]:  # photos were deleted
                    self._reload()
            self.ids = list(self._entries)
            self.texts = [text for text, _ in self._entries.values()]
            vectors = [vector for _, vector in self._entries.values()]
            self.matrix = np.stack(vectors) if vectors else np.zeros((0, 0), np.float32)

    def nearest(self, image_id: int | None, visual: np.ndarray) -> list[Lent]:
        """Up to BORROW_NEIGHBOURS photos with words near `visual`, best first."""
        if not self.ids or self.matrix.shape[1] != visual.shape[0]:
            return []
        sims = self.matrix @ _unit(visual)
        order = np.argsort(-sims)
        chosen = [
            int(i)
            for i in order[: photodesk_settings.BORROW_NEIGHBOURS + 1]
            if self.ids[i] != image_id and sims[i] >= photodesk_settings.BORROW_MIN_SIMILARITY
        ][: photodesk_settings.BORROW_NEIGHBOURS]
        if not chosen:
            return []
        logits = sims[chosen] / photodesk_settings.BORROW_TEMPERATURE
        weights = np.exp(logits - logits.max())
        weights /= weights.sum()
        return [
            Lent(self.ids[i], self.texts[i], float(sims[i]), float(w))
            for i, w in zip(chosen, weights, strict=True)
        ]

    def text_vectors(self, lent: list[Lent]) -> np.ndarray:
        """The lent texts embedded, each once per load (a lender lends to many photos)."""
        missing = [w for w in lent if w.image_id not in self._text_vectors]
        if missing:
            vectors = embedder().predict([w.text for w in missing])
            self._text_vectors.update(zip((w.image_id for w in missing), vectors, strict=True))
        return np.stack([self._text_vectors[w.image_id] for w in lent])


lenders = Lenders()


def lent_words(image: Any, analysis: Any, recheck: bool = True) -> list[Lent]:
    """What similar photos lend this one: nothing when borrowing is off, when the photo has
    words of its own, or when it has no visual embedding. Without `recheck` (explaining a
    result), the lenders may be a couple of seconds old."""
    if not photodesk_settings.BORROW_WORDS or analysis.visual_embedding is None:
        return []
    if not needs_words(image, analysis):
        return []
    lenders.refresh(recheck)
    visual = np.frombuffer(bytes(analysis.visual_embedding), np.float32)
    return lenders.nearest(getattr(image, "pk", None), visual)
