"""Words borrowed from visually similar photos, for photos nobody wrote about.

An archive holds many photos with human words (agency captions, IPTC, titles, accepted labels)
and many without (staff uploads). The classifier only knows ImageNet's classes, so an
uncaptioned photo's vector is weak next to a captioned one's. Its nearest photos with words,
by the classifier's visual embedding, are the best guess at what it shows: their words,
softmax-weighted by similarity, join its vector (describe.image_vector) — never its caption
or the keyword side — and the reasons say where they came from.

Neighbours are found in an approximate index (usearch, HNSW over float16 vectors): one of the
photos that lend (have words), one of the photos that borrow, both kept in this process and
brought up to date from the rows changed since they last looked. The borrowers' index answers
"whose neighbour list would this new or edited caption enter?" (`affected_by`), so a caption
refreshes a bounded number of photos, not the archive. A large archive's indexes are saved
under CACHE_DIR after a full build and restored by the next process (then brought up to
date). The chosen neighbours are stored
(models.Neighbour): the reasons read them, a lender's deletion finds its borrowers.

Both index backends get the same vectors, so they agree; the visual vectors stay out of
OpenSearch (1280 dimensions per photo would triple its k-NN memory for a worker-side job).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max, Min

from photodesk.analysis.embedding import embedder, embedding_model_name
from photodesk.conf import photodesk_settings
from photodesk.host import host, lending_text
from photodesk.models import ImageAnalysis, Neighbour

# How often a process asks the database whether photos were added, edited or deleted.
RECHECK_SECONDS = 2.0
# Lent texts embedded and kept per process (a lender lends to many photos).
TEXT_CACHE_SIZE = 20_000
# From this many analysed photos, the neighbour indexes are saved after a full build.
SAVE_FROM_PHOTOS = 20_000
# usearch's search breadth: above the default (64) so that k=10 of 1M stays near exact.
EXPANSION_SEARCH = 128


@dataclass(frozen=True)
class Lent:
    """Words lent by one similar photo: its text, its cosine and its weight (they sum to 1)."""

    image_id: int
    text: str
    similarity: float
    weight: float
    url: str = ""  # the lender's page, for the reasons' links


def word_count(text: str) -> int:
    return len(text.split())


def has_words(image: Any, analysis: Any) -> bool:
    return word_count(lending_text(image, analysis)) >= photodesk_settings.BORROW_BELOW_WORDS


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


class VisualIndex:
    """Unit visual vectors by image id, in a usearch HNSW index (cosine)."""

    def __init__(self, index=None) -> None:
        self.index = index
        self.keys: set[int] = set() if index is None else {int(k) for k in index.keys}

    def put(self, key: int, vector: np.ndarray) -> None:
        if self.index is None or self.index.ndim != vector.shape[0]:
            from usearch.index import Index

            self.index = Index(
                ndim=vector.shape[0],
                metric="cos",
                dtype="f16",
                expansion_search=EXPANSION_SEARCH,
            )
            self.keys = set()
        self.drop(key)
        self.index.add(key, vector)
        self.keys.add(key)

    def drop(self, key: int) -> None:
        if key in self.keys:
            self.index.remove(key)
            self.keys.discard(key)

    def nearest(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """(image id, cosine) of up to `count` nearest, best first."""
        if not self.keys or self.index.ndim != vector.shape[0]:
            return []
        found = self.index.search(vector, min(count, len(self.keys)))
        return [(int(k), 1.0 - float(d)) for k, d in zip(found.keys, found.distances, strict=True)]

    def save(self, path: Path) -> None:
        if self.index is not None:
            self.index.save(str(path))

    @classmethod
    def load(cls, path: Path) -> VisualIndex:
        if not path.exists():
            return cls()
        from usearch.index import Index

        index = Index.restore(str(path))
        index.expansion_search = EXPANSION_SEARCH
        return cls(index)


class Neighbours:
    """The archive's photos in two visual indexes: those that lend words and those that need
    them. Kept current from the database: rows changed since the last look are re-read,
    deleted ones dropped. A large archive's indexes are saved under the cache folder after a
    full build, so that the next worker starts from them instead of rebuilding (at 100,000
    photos a build takes minutes: benchmarks/neighbours.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._checked_at = -RECHECK_SECONDS
        self._since = None  # the latest `updated` read
        self.lenders = VisualIndex()
        self.borrowers = VisualIndex()
        self._text_vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    @staticmethod
    def _rows():
        return ImageAnalysis.objects.done().exclude(visual_embedding=None)

    def _settings(self) -> tuple:
        return (photodesk_settings.BORROW_BELOW_WORDS, embedding_model_name())

    def _read(self, rows) -> None:
        for analysis in rows.select_related("image").iterator(chunk_size=500):
            pk = analysis.image_id
            visual = _unit(np.frombuffer(bytes(analysis.visual_embedding), np.float32))
            if (
                word_count(lending_text(analysis.image, analysis))
                >= photodesk_settings.BORROW_BELOW_WORDS
            ):
                self.borrowers.drop(pk)
                self.lenders.put(pk, visual)
            else:
                self.lenders.drop(pk)
                self.borrowers.put(pk, visual)
            if self._since is None or analysis.updated > self._since:
                self._since = analysis.updated

    def _drop_deleted(self) -> None:
        present = set(self._rows().values_list("image_id", flat=True))
        for index in (self.lenders, self.borrowers):
            for pk in index.keys - present:
                index.drop(pk)

    def _snapshot(self) -> Path:
        digest = hashlib.sha256(
            repr((self._settings(), connection.settings_dict["NAME"])).encode()
        ).hexdigest()[:16]
        return photodesk_settings.cache_dir / f"neighbours-{digest}"

    def _save(self) -> None:
        folder = self._snapshot()
        folder.mkdir(parents=True, exist_ok=True)
        self.lenders.save(folder / "lenders.usearch")
        self.borrowers.save(folder / "borrowers.usearch")
        (folder / "state.json").write_text(json.dumps({"since": self._since.isoformat()}))

    def _restore(self) -> bool:
        """Start from the saved indexes if they hold every photo not changed since they were
        saved (another database with the same name, or a stale save, is rebuilt)."""
        folder = self._snapshot()
        try:
            since = dt.datetime.fromisoformat(
                json.loads((folder / "state.json").read_text())["since"]
            )
            lenders = VisualIndex.load(folder / "lenders.usearch")
            borrowers = VisualIndex.load(folder / "borrowers.usearch")
        except (OSError, ValueError, KeyError, RuntimeError):
            return False
        older = set(self._rows().filter(updated__lte=since).values_list("image_id", flat=True))
        if not older <= lenders.keys | borrowers.keys:
            return False
        self.lenders, self.borrowers, self._since = lenders, borrowers, since
        return True

    def refresh(self, force: bool = False) -> None:
        """Bring both indexes up to date (at most every RECHECK_SECONDS unless `force`)."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < RECHECK_SECONDS:
                return
            self._checked_at = now
            state = self._rows().aggregate(Count("id"), Max("updated"))
            key = (state["id__count"], state["updated__max"], *self._settings())
            if key == self._key:
                return
            if self._key is None or self._key[2:] != key[2:]:
                self.lenders, self.borrowers = VisualIndex(), VisualIndex()
                self._text_vectors, self._since = OrderedDict(), None
                large = key[0] >= SAVE_FROM_PHOTOS
                if not (large and self._restore()):
                    self._read(self._rows())
                    if large:
                        self._save()
            changed = self._rows()
            if self._since is not None:
                changed = changed.filter(updated__gte=self._since)
            self._read(changed)
            if len(self.lenders.keys) + len(self.borrowers.keys) != key[0]:
                self._drop_deleted()
            self._key = key

    def nearest_lenders(self, image_id: int | None, visual: np.ndarray) -> list[Lent]:
        """Up to BORROW_NEIGHBOURS photos with words near `visual`, best first, weighted."""
        conf = photodesk_settings
        found = [
            (pk, sim)
            for pk, sim in self.lenders.nearest(_unit(visual), conf.BORROW_NEIGHBOURS + 1)
            if pk != image_id and sim >= conf.BORROW_MIN_SIMILARITY
        ]
        # Their words now (another process may have changed or deleted one since this one
        # last looked: such a lender is left out).
        texts = lender_texts([pk for pk, _ in found])
        found = [(pk, sim) for pk, sim in found if pk in texts][: conf.BORROW_NEIGHBOURS]
        if not found:
            return []
        sims = np.array([sim for _, sim in found])
        weights = np.exp((sims - sims.max()) / conf.BORROW_TEMPERATURE)
        weights /= weights.sum()
        return [
            Lent(pk, texts[pk][0], float(sim), float(w), texts[pk][1])
            for (pk, sim), w in zip(found, weights, strict=True)
        ]

    def near_borrowers(self, visual: np.ndarray, count: int) -> list[tuple[int, float]]:
        return [
            (pk, sim)
            for pk, sim in self.borrowers.nearest(_unit(visual), count)
            if sim >= photodesk_settings.BORROW_MIN_SIMILARITY
        ]

    def text_vectors(self, lent: list[Lent]) -> np.ndarray:
        """The lent texts embedded, each once while it is cached."""
        with self._lock:
            missing = list(dict.fromkeys(w.text for w in lent if w.text not in self._text_vectors))
            if missing:
                self._text_vectors.update(zip(missing, embedder().predict(missing), strict=True))
            for w in lent:
                self._text_vectors.move_to_end(w.text)
            while len(self._text_vectors) > TEXT_CACHE_SIZE:
                self._text_vectors.popitem(last=False)
            return np.stack([self._text_vectors[w.text] for w in lent])


neighbours = Neighbours()


def lent_words(image: Any, analysis: Any) -> list[Lent]:
    """What similar photos lend this one now: nothing when borrowing is off, when the photo has
    words of its own, or when it has no visual embedding."""
    if not photodesk_settings.BORROW_WORDS or analysis.visual_embedding is None:
        return []
    if has_words(image, analysis):
        return []
    neighbours.refresh()
    visual = np.frombuffer(bytes(analysis.visual_embedding), np.float32)
    return neighbours.nearest_lenders(getattr(image, "pk", None), visual)


def borrowed_vector(lent: list[Lent]) -> np.ndarray:
    """The lenders' words as one unit vector, similarity-weighted."""
    soft = np.array([w.weight for w in lent], np.float32) @ neighbours.text_vectors(lent)
    return _unit(soft)


def record(image: Any, lent: list[Lent]) -> None:
    """Store the photo's neighbour list (replacing the old one)."""
    with transaction.atomic():
        Neighbour.objects.filter(image_id=image.pk).delete()
        Neighbour.objects.bulk_create(
            Neighbour(
                image_id=image.pk, lender_id=w.image_id, similarity=w.similarity, weight=w.weight
            )
            for w in lent
        )


# What lending_text reads of a lender's analysis row (its vectors and facts stay behind).
TEXT_FIELDS = ("image_id", "photo_metadata")


def lender_texts(image_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """{analysed photo with words: (its lending text, its admin link)}, read now."""
    image_fields = (f"image__{f.name}" for f in host().image_model()._meta.concrete_fields)
    analyses = (
        ImageAnalysis.objects.done()
        .filter(image_id__in=list(image_ids))
        .select_related("image")
        .only(*TEXT_FIELDS, *image_fields)
    )
    found = {}
    for analysis in analyses:
        text = lending_text(analysis.image, analysis)
        if word_count(text) >= photodesk_settings.BORROW_BELOW_WORDS:
            found[analysis.image_id] = (text, host().image_admin_url(analysis.image))
    return found


def stored_lenders(image_ids: Iterable[int], per_image: int = 5) -> dict[int, list[Lent]]:
    """{borrower id: its `per_image` heaviest stored lenders, with their words now}."""
    rows = Neighbour.objects.filter(image_id__in=list(image_ids)).order_by("image_id", "-weight")
    kept: dict[int, list[Neighbour]] = {}
    for row in rows:
        if len(kept.setdefault(row.image_id, [])) < per_image:
            kept[row.image_id].append(row)
    rows = [row for listed in kept.values() for row in listed]
    if not rows:
        return {}
    texts = lender_texts({r.lender_id for r in rows})
    found: dict[int, list[Lent]] = {}
    for row in rows:
        if row.lender_id in texts:
            text, url = texts[row.lender_id]
            found.setdefault(row.image_id, []).append(
                Lent(row.lender_id, text, row.similarity, row.weight, url)
            )
    return found


def listing(lender_ids: Iterable[int]) -> list[int]:
    """The photos that borrow words from any of these."""
    rows = Neighbour.objects.filter(lender_id__in=list(lender_ids))
    return sorted(set(rows.values_list("image_id", flat=True)))


def lends_to(image_id: int) -> bool:
    return Neighbour.objects.filter(lender_id=image_id).exists()


def affected_by(lender_ids: Iterable[int]) -> list[int]:
    """The photos whose borrowed words change when these photos' words changed (new, edited,
    gone): those that list them, and borrowers they would now enter the neighbour list of —
    at most BORROW_REFRESH_LIMIT per lender, nearest first."""
    if not photodesk_settings.BORROW_WORDS:
        return []
    lender_ids = set(lender_ids)
    limit = photodesk_settings.BORROW_REFRESH_LIMIT
    affected: dict[int, None] = {}
    for pk in listing(lender_ids)[: limit * len(lender_ids)]:
        affected[pk] = None
    neighbours.refresh(force=True)
    analyses = ImageAnalysis.objects.filter(image_id__in=lender_ids).exclude(visual_embedding=None)
    for analysis in analyses:
        if analysis.image_id not in neighbours.lenders.keys:
            continue
        visual = np.frombuffer(bytes(analysis.visual_embedding), np.float32)
        near = neighbours.near_borrowers(visual, limit)
        weakest = _weakest_similarity([pk for pk, _ in near])
        for pk, sim in near:
            listed = weakest.get(pk)
            if (
                listed is None
                or listed[1] < photodesk_settings.BORROW_NEIGHBOURS
                or sim > listed[0]
            ):
                affected[pk] = None
    return [pk for pk in affected if pk not in lender_ids]


def _weakest_similarity(image_ids: list[int]) -> dict[int, tuple[float, int]]:
    """{borrower: (its weakest lender's similarity, how many it has)}."""
    rows = (
        Neighbour.objects.filter(image_id__in=image_ids)
        .values("image_id")
        .annotate(weakest=Min("similarity"), count=Count("id"))
    )
    return {r["image_id"]: (r["weakest"], r["count"]) for r in rows}
