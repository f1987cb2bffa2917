"""Search by face: the photos of whoever is in a given photo (the largest clear face in it),
compared with every usable face of the archive."""

from __future__ import annotations

from typing import Any

import numpy as np

from photodesk.analysis.analyzers.faces import detect_faces
from photodesk.analysis.decode import decode
from photodesk.conf import photodesk_settings
from photodesk.extras import installed, pip_command
from photodesk.host import get_image_model
from photodesk.models import Face


class NoFaceFound(ValueError):
    """The photo given to search_by_face has no face good enough to search with."""


class FaceRecognitionOff(RuntimeError):
    """PHOTODESK['FACE_RECOGNITION'] is False, or the faces extra is not installed: nothing
    can be compared by face."""


def _query_face(data: bytes) -> np.ndarray:
    photo = decode(data, "search photo")  # InvalidImage (a ValueError) for a bad file
    faces = [f for f in detect_faces(photo, with_embeddings=True) if f["usable"]]
    if not faces:
        raise NoFaceFound(
            "No usable face was found in the photo (faces must be at least 40 pixels and sharp)."
        )
    best = max(faces, key=lambda f: f["box"][2] * f["box"][3] * max(f["quality"], 0.01))
    return best["embedding"]


def search_by_face(data: bytes, limit: int = 20) -> list[tuple[Any, float]]:
    """Images with the person whose face is in `data` (the largest clear face), closest
    first, as (image, distance) within FACE_REVIEW_DISTANCE."""
    if not photodesk_settings.FACE_RECOGNITION:
        raise FaceRecognitionOff("Face recognition is switched off (PHOTODESK FACE_RECOGNITION).")
    if not installed("faces"):
        raise FaceRecognitionOff(f"Face search needs the faces extra: {pip_command('faces')}.")
    query = _query_face(data)
    rows = list(Face.objects.usable().values_list("image_id", "embedding"))
    if not rows:
        return []
    vectors = np.stack([np.frombuffer(bytes(e), dtype=np.float32) for _, e in rows])
    distances = np.linalg.norm(vectors - query, axis=1)
    best: dict[Any, float] = {}
    for (image_id, _), d in zip(rows, distances.tolist(), strict=True):
        if d <= photodesk_settings.FACE_REVIEW_DISTANCE and d < best.get(image_id, np.inf):
            best[image_id] = d
    ranked = sorted(best.items(), key=lambda item: item[1])[:limit]
    images = get_image_model().objects.in_bulk([pk for pk, _ in ranked])
    return [(images[pk], round(d, 4)) for pk, d in ranked if pk in images]
