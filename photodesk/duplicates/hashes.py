"""Every image's perceptual hash, kept in this process and read incrementally.

The duplicate check compares a new image's hash with the whole archive's. Reading every
stored hash per image costs a query returning all rows (about 0.1 s at 100,000 images); this
keeps them in two numpy arrays and, per check, reads only the rows computed since the last
look. Rows of deleted images may linger until the next full read: callers check candidates
against the database anyway (grouping.copies_of does).
"""

from __future__ import annotations

import threading

import numpy as np
from django.db.models import Max

from photodesk.models import ImageFingerprint


class Hashes:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._position: dict[int, int] = {}  # image id -> row in the arrays
        self._ids = np.zeros(0, np.int64)
        self._hashes = np.zeros(0, np.int64)
        self._since = None  # the latest `computed` read

    def _put(self, rows: list[tuple[int, int, object]]) -> None:
        new_ids, new_hashes = [], []
        for image_id, phash, computed in rows:
            at = self._position.get(image_id)
            if at is None:
                self._position[image_id] = len(self._ids) + len(new_ids)
                new_ids.append(image_id)
                new_hashes.append(phash)
            else:
                self._hashes[at] = phash
            if self._since is None or computed > self._since:
                self._since = computed
        if new_ids:
            self._ids = np.concatenate([self._ids, np.array(new_ids, np.int64)])
            self._hashes = np.concatenate([self._hashes, np.array(new_hashes, np.int64)])

    def refresh(self) -> None:
        """Read the rows computed since the last look; everything again when rows went
        (deleted images: their ids are dropped, not left to grow)."""
        rows = ImageFingerprint.objects.values_list("image_id", "phash", "computed")
        count = ImageFingerprint.objects.count()
        if count < len(self._position) or self._since is None:
            self._read_all()
            return
        # Same-timestamp writes are read again (>=): harmless, they overwrite in place.
        self._put(list(rows.filter(computed__gte=self._since)))
        if count > len(self._position):
            # A row committed late by another worker, stamped before our last look.
            self._read_all()

    def _read_all(self) -> None:
        self._reset()
        # The time first: a row written meanwhile is read again by the next look.
        since = ImageFingerprint.objects.aggregate(latest=Max("computed"))["latest"]
        rows = ImageFingerprint.objects.values_list("image_id", "phash")
        pairs = np.array(list(rows), dtype=np.int64).reshape(-1, 2)
        self._ids, self._hashes = pairs[:, 0].copy(), pairs[:, 1].copy()
        self._position = {int(pk): i for i, pk in enumerate(self._ids)}
        self._since = since

    def all(self, exclude: int) -> tuple[np.ndarray, np.ndarray]:
        """(image ids, hashes) of every fingerprinted image but `exclude`, current."""
        with self._lock:
            self.refresh()
            keep = self._ids != exclude
            return self._ids[keep], self._hashes[keep]


hashes = Hashes()
