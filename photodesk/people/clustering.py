"""Grouping unnamed faces into clusters a reviewer can name in one go.

Which faces: unnamed (no person, state unknown), usable, with an embedding, and not touched by
a person (a face a reviewer rejected a person for or removed from a cluster is left for manual
naming, so clustering never undoes a human decision). Named faces are never clustered:
recognition (photodesk.people.recognition) handles faces close to known people.

- `cluster_new_faces` (the background task after each analysis): each new face joins the
  cluster of its nearest clustered face within FACE_CLUSTER_DISTANCE; the rest are grouped
  among themselves with dlib's chinese whispers, and groups of FACE_CLUSTER_MIN_SIZE or more
  become new clusters (a single face waits, unclustered, for a look-alike).
- `recluster_all` (`manage.py cluster_faces`): the same over every candidate face at once,
  replacing the clusters.

Chinese whispers links every pair closer than the threshold (O(n²) distances, fine for tens of
thousands of unnamed faces); its labels depend a little on the visiting order, so it is
seeded for repeatable results.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from django.db import transaction

from photodesk.conf import photodesk_settings
from photodesk.models import Face, FaceCluster
from photodesk.people.recognition import human_decided

logger = logging.getLogger(__name__)


def candidates():
    return (
        Face.objects.usable()
        .filter(person__isnull=True, state=Face.State.UNKNOWN)
        .exclude(human_decided())
    )


def _vectors(faces: list[Face]) -> np.ndarray:
    if not faces:
        return np.zeros((0, 128), np.float32)
    return np.stack([f.vector for f in faces])


def chinese_whispers(
    vectors: np.ndarray, threshold: float, progress: Callable[[int], None] | None = None
) -> list[int]:
    """Cluster labels for the rows of `vectors` (pairs closer than `threshold` are linked).
    `progress(1)` is called per row while the graph is built (the costly part)."""
    import dlib

    n = len(vectors)
    if n == 0:
        return []
    if n == 1:
        return [0]
    # The edge list is built here with numpy instead of by
    # dlib.chinese_whispers_clustering, which wants dlib.vector objects; dlib then runs the
    # label propagation (its random generator has a fixed seed: repeatable clusters).
    edges = []
    for i in range(n):
        d = np.linalg.norm(vectors[i + 1 :] - vectors[i], axis=1)
        for j in np.nonzero(d < threshold)[0].tolist():
            edges.append((i, i + 1 + j))
        if progress:
            progress(1)
    labels = dlib.chinese_whispers(edges) if edges else []
    # dlib labels only the nodes that appear in an edge; isolated faces get their own label.
    result = list(labels) + [None] * (n - len(labels))
    next_label = max([label for label in result if label is not None], default=-1) + 1
    for i in range(n):
        if result[i] is None:
            result[i] = next_label
            next_label += 1
    return result


def _make_clusters(
    faces: list[Face],
    threshold: float,
    min_size: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Group `faces` and save groups of `min_size` or more as new clusters. Returns the
    number of clusters made."""
    groups: dict[int, list[Face]] = defaultdict(list)
    for face, label in zip(
        faces, chinese_whispers(_vectors(faces), threshold, progress), strict=True
    ):
        groups[label].append(face)
    made = 0
    for members in groups.values():
        if len(members) < min_size:
            continue
        cluster = FaceCluster.objects.create()
        Face.objects.filter(pk__in=[f.pk for f in members]).update(cluster=cluster)
        made += 1
    return made


def cluster_new_faces() -> dict[str, int]:
    """Put unclustered candidate faces into clusters (incremental; idempotent)."""
    if not photodesk_settings.FACE_RECOGNITION:
        return {"joined": 0, "new_clusters": 0}
    threshold = photodesk_settings.FACE_CLUSTER_DISTANCE
    with transaction.atomic():
        # Two workers clustering at once would split one person (Postgres: the second waits).
        new = list(candidates().filter(cluster__isnull=True).select_for_update().order_by("pk"))
        if not new:
            return {"joined": 0, "new_clusters": 0}
        clustered = list(
            candidates().filter(cluster__isnull=False).only("pk", "embedding", "cluster_id")
        )
        members = _vectors(clustered)
        left = []
        joined = 0
        for face in new:
            if len(members):
                d = np.linalg.norm(members - face.vector, axis=1)
                best = int(d.argmin())
                if d[best] < threshold:
                    Face.objects.filter(pk=face.pk).update(cluster_id=clustered[best].cluster_id)
                    joined += 1
                    continue
            left.append(face)
        made = _make_clusters(left, threshold, photodesk_settings.FACE_CLUSTER_MIN_SIZE)
        FaceCluster.objects.filter(faces__isnull=True).delete()
    logger.info("Face clustering: %s joined clusters, %s new clusters", joined, made)
    return {"joined": joined, "new_clusters": made}


def recluster_all(progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Cluster every candidate face from scratch (faces a person decided keep theirs);
    `progress(n)` reports faces processed."""
    if not photodesk_settings.FACE_RECOGNITION:
        return {"faces": 0, "clusters": 0}
    with transaction.atomic():
        faces = list(candidates().only("pk", "embedding").order_by("pk"))
        candidates().update(cluster=None)
        made = _make_clusters(
            faces,
            photodesk_settings.FACE_CLUSTER_DISTANCE,
            photodesk_settings.FACE_CLUSTER_MIN_SIZE,
            progress,
        )
        FaceCluster.objects.filter(faces__isnull=True).delete()
    return {"faces": len(faces), "clusters": made}
