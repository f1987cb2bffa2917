"""The map of the archive: each image's visual vector projected to 2-D, so that similar photos
sit together. Computed by a task (tasks.refresh_archive_map) and kept as one ArchiveMap row;
the map page and the API only read that row.

Scale: the projection is fitted on a random sample (MAP_FIT_SAMPLE images) and the rest are
placed among their nearest fitted neighbours, so 100,000 images cost a fit on 20,000 plus a
few seconds. The page draws at most MAP_POINTS of them (a random sample, the same one
every time), which a canvas scatter pans and zooms smoothly.

Memory: vectors are read in chunks and reduced to 50 dimensions as they come (the fit
sample read first), so 1,000,000 images need ~200 MB for them, not the 5 GB of the vectors.

Vectors: the classifier's visual embedding (what the photo looks like) when the image has one,
else its text embedding (what was said about it); they are not mixed on one map.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from typing import Any

import numpy as np
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count
from django.db.models.functions import Length

from photodesk import extras
from photodesk.conf import photodesk_settings
from photodesk.host import get_image_model, host
from photodesk.insights.filters import Filters
from photodesk.models import ArchiveMap, ImageAnalysis, ImageLabel

logger = logging.getLogger(__name__)

MAP_FIT_SAMPLE = 20_000
MAP_POINTS = 20_000
VECTOR_FIELDS = ("visual_embedding", "embedding")
TOP_LABELS = 3


CHUNK = 2000  # vectors read (and reduced) at a time


def _vectors(field: str):
    """Done analyses with a `field` vector: a queryset of (image_id, blob), by image id."""
    return (
        ImageAnalysis.objects.done()
        .exclude(**{field: None})
        .order_by("image_id")
        .values_list("image_id", field)
    )


def _vector_ids(field: str) -> np.ndarray:
    """Ids of the images on the map: those with a `field` vector of the most common size (a
    vector of another model is not on this map). The database counts; no vector is read."""
    sized = _vectors(field).annotate(nbytes=Length(field))
    common = (
        sized.order_by().values("nbytes").annotate(n=Count("pk")).order_by("-n", "nbytes").first()
    )
    if common is None:
        return np.zeros(0, dtype=np.int64)
    ids = (
        sized.filter(nbytes=common["nbytes"])
        .values_list("image_id", flat=True)
        .iterator(chunk_size=20_000)
    )
    return np.fromiter(ids, dtype=np.int64)


def _normalised(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (an all-zero row stays zero)."""
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _unit(blobs: list) -> np.ndarray:
    """Stored vectors (float32 bytes) as unit rows."""
    return _normalised(np.vstack([np.frombuffer(bytes(b), dtype=np.float32) for b in blobs]))


def _pca(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, components) of unit vectors: PCA by SVD of the centred sample (numpy only).
    UMAP's neighbour search is much faster in 50 dimensions than in 1280, and keeps the
    structure that matters."""
    mean = sample.mean(axis=0)
    components = min(50, len(sample) - 1, sample.shape[1]) if len(sample) > 1 else 1
    _, _, vt = np.linalg.svd(sample - mean, full_matrices=False)
    return mean, vt[:components]


def _reduced_from_database(field: str, fit_sample: int, seed: int):
    """(image ids, their vectors reduced to 50 dimensions, the rows to fit UMAP on), reading
    the vectors in chunks: the whole archive is never in memory at full size (1,000,000
    visual vectors are 5 GB; reduced, 200 MB). The fit sample is read first, by id, then
    every vector once more to reduce it."""
    ids = _vector_ids(field)
    if not len(ids):
        return ids, np.zeros((0, 2), dtype=np.float32), ids
    rng = np.random.default_rng(seed)
    fit_ids = ids[np.sort(rng.choice(len(ids), size=min(len(ids), fit_sample), replace=False))]
    sample = []
    for start in range(0, len(fit_ids), CHUNK):
        chunk = fit_ids[start : start + CHUNK].tolist()
        sample += [b for _, b in _vectors(field).filter(image_id__in=chunk)]
    mean, components = _pca(_unit(sample))
    reduced = np.zeros((len(ids), len(components)), dtype=np.float32)
    seen = np.zeros(len(ids), dtype=bool)
    rows, blobs = [], []

    def flush() -> None:
        reduced[rows] = (_unit(blobs) - mean) @ components.T
        seen[rows] = True
        rows.clear()
        blobs.clear()

    for image_id, blob in _vectors(field).filter(image_id__lte=ids[-1]).iterator(CHUNK):
        row = int(np.searchsorted(ids, image_id))
        # An analysis done (or a vector of another size) since the ids were read: not this map.
        if row < len(ids) and ids[row] == image_id and len(blob) == 4 * len(mean):
            rows.append(row)
            blobs.append(blob)
            if len(rows) == CHUNK:
                flush()
    if rows:
        flush()
    # Images whose vector went while this ran are left off.
    fit = np.isin(ids[seen], fit_ids)
    return ids[seen], reduced[seen], np.flatnonzero(fit)


def project(vectors: np.ndarray, fit_sample: int = MAP_FIT_SAMPLE, seed: int = 0):
    """2-D coordinates for `vectors` (rows, in memory), and a description of the method. UMAP
    (cosine) after a PCA to 50 dimensions, fitted on at most `fit_sample` rows; the rest
    placed among their nearest fitted rows."""
    n = len(vectors)
    vectors = _normalised(vectors)
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(n, size=min(n, fit_sample), replace=False))
    mean, components = _pca(vectors[fit_rows])
    return layout(((vectors - mean) @ components.T).astype(np.float32), fit_rows, seed)


def layout(reduced: np.ndarray, fit_rows: np.ndarray, seed: int = 0):
    """2-D coordinates for PCA-reduced rows: UMAP fitted on `fit_rows`, the rest placed among
    their nearest fitted rows (PCA alone without the insights extra, or with under 5 rows)."""
    n, components = reduced.shape
    if n < 5 or not extras.installed("insights"):
        # Too few for neighbours, or no UMAP (photodesk[insights]): the first two principal
        # components are the map; similar photos still sit together, clusters blur.
        coords = np.zeros((n, 2), dtype=np.float32)
        coords[:, : min(2, components)] = reduced[:, :2]
        return coords, f"pca-2 (n={n})"
    import umap  # the "insights" extra: imported only here, by the task

    neighbours = max(2, min(15, len(fit_rows) - 1))
    model = umap.UMAP(
        n_neighbors=neighbours, min_dist=0.1, metric="cosine", random_state=seed, low_memory=True
    )
    coords = np.zeros((n, 2), dtype=np.float32)
    coords[fit_rows] = model.fit_transform(reduced[fit_rows])
    rest = np.setdiff1d(np.arange(n), fit_rows)
    if len(rest):
        coords[rest] = place_among_neighbours(reduced[rest], reduced[fit_rows], coords[fit_rows])
    return coords, (
        f"umap-{umap.__version__} cosine k={neighbours} on pca-{components}, "
        f"fitted on {len(fit_rows)}, the rest placed among their {PLACE_NEIGHBOURS} nearest"
    )


PLACE_NEIGHBOURS = 10


def place_among_neighbours(
    rows: np.ndarray, fitted: np.ndarray, fitted_coords: np.ndarray, chunk: int = 2048
) -> np.ndarray:
    """2-D places for `rows` that were not fitted: the similarity-weighted mean of their
    nearest fitted rows' places. UMAP's own transform starts from this and then optimises;
    measured at 100,000 images it took minutes where this takes seconds, and the
    photos land in the same clusters (benchmarks/insights.py)."""
    unit = _normalised(fitted)
    out = np.zeros((len(rows), 2), dtype=np.float32)
    k = min(PLACE_NEIGHBOURS, len(fitted))
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        part = _normalised(part)
        similarity = part @ unit.T
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.exp(8.0 * np.take_along_axis(similarity, nearest, axis=1))
        weights /= weights.sum(axis=1, keepdims=True)
        out[start : start + chunk] = np.einsum("nk,nkd->nd", weights, fitted_coords[nearest])
    return out


def _scaled(coords: np.ndarray) -> np.ndarray:
    """Coordinates scaled into 0–100, one factor for both axes (distances keep their
    meaning), robust to a few far-off points."""
    if not len(coords):
        return coords
    low = np.percentile(coords, 0.5, axis=0)
    high = np.percentile(coords, 99.5, axis=0)
    span = float(np.max(high - low)) or 1.0
    return np.clip((coords - low) / span * 100.0, -5, 105)


def _top_labels(image_ids: list[int]) -> dict[int, list[str]]:
    """Each image's most confident visible labels (one query, streamed)."""
    out: dict[int, list[str]] = defaultdict(list)
    rows = (
        ImageLabel.objects.visible()
        .order_by("image_id", "-confidence")
        .values_list("image_id", "label__name")
        .iterator(chunk_size=5000)
    )
    wanted = set(image_ids)
    for image_id, name in rows:
        if image_id in wanted and len(out[image_id]) < TOP_LABELS:
            out[image_id].append(name)
    return out


def compute_map(fit_sample: int = MAP_FIT_SAMPLE) -> ArchiveMap:
    """Project every analysed image and keep the result as the newest ArchiveMap (older ones
    are deleted). An archive without vectors gets an empty map."""
    started = time.monotonic()
    field = next((f for f in VECTOR_FIELDS if _vectors(f).exists()), VECTOR_FIELDS[0])
    ids, reduced, fit_rows = _reduced_from_database(field, fit_sample, seed=0)
    if len(ids):
        coords, method = layout(reduced, fit_rows)
        coords = _scaled(coords)
    else:
        coords, method = np.zeros((0, 2)), "none (no vectors yet)"
    labels = _top_labels(ids.tolist())
    points = [
        [image_id, round(float(x), 3), round(float(y), 3), labels.get(image_id, [])]
        for image_id, (x, y) in zip(ids.tolist(), coords, strict=True)
    ]
    archive_map = ArchiveMap.objects.create(
        method=method,
        vector=field,
        images=len(points),
        fitted_on=min(len(points), fit_sample),
        seconds=round(time.monotonic() - started, 2),
        points=points,
    )
    ArchiveMap.objects.exclude(pk=archive_map.pk).delete()
    logger.info("Archive map: %s images in %.1f s (%s)", len(points), archive_map.seconds, method)
    return archive_map


def map_points(archive_map: ArchiveMap, filters: Filters, limit: int = MAP_POINTS) -> dict:
    """The points to draw: images of the map that pass `filters`, at most `limit` (a fixed
    random sample), with titles. {"points": [[x, y, image_id, label index, title, labels]],
    "labels": [top label names, by how many points have them], "shown", "total"}."""
    points = archive_map.points
    if filters != Filters():
        allowed = set(get_image_model().objects.filter(filters.q()).values_list("pk", flat=True))
        points = [p for p in points if p[0] in allowed]
    total = len(points)
    if total > limit:
        points = random.Random(0).sample(points, limit)
    titles = _titles([p[0] for p in points])
    counts: dict[str, int] = defaultdict(int)
    for point in points:
        counts[point[3][0] if point[3] else ""] += 1
    names = sorted(counts, key=lambda name: (-counts[name], name))
    index = {name: i for i, name in enumerate(names)}
    rows: list[list[Any]] = [
        [x, y, image_id, index[labels[0] if labels else ""], titles.get(image_id, ""), labels]
        for image_id, x, y, labels in points
    ]
    return {"points": rows, "labels": names, "shown": len(rows), "total": total}


def _titles(image_ids: list[int]) -> dict[int, str]:
    """Image id → title as the site shows it (its title, else its file's name), read as
    values: building 20,000 model instances took seconds."""
    model = get_image_model()
    title = host().image_field_name("title")
    original = "original_filename"
    file_field = photodesk_settings.IMAGE_FILE_FIELD
    fields = [f for f in (title, original, file_field) if f and _has_field(model, f)]
    titles = {}
    for chunk in range(0, len(image_ids), 5000):
        rows = model.objects.filter(pk__in=image_ids[chunk : chunk + 5000]).order_by()
        for row in rows.values("pk", *fields):
            name = row.get(title) or row.get(original) or ""
            if not name:
                name = str(row.get(file_field) or "").rsplit("/", 1)[-1]
            titles[row["pk"]] = str(name)
    return titles


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
