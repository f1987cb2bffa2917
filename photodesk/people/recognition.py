"""Faces of one image into the database: rows, crops, and recognition of known people.

`store_faces` is called by the pipeline inside its analysis transaction. It replaces the
image's machine faces and keeps every face a person decided (named, confirmed, rejected,
removed from a cluster, erased): like labels, human decisions win over a re-analysis.

Recognition: a new usable face is compared with the usable faces of named people (confirmed or
recognised automatically); its nearest person within FACE_AUTO_DISTANCE is assigned
automatically, within FACE_REVIEW_DISTANCE it waits for review. A person a reviewer rejected
for a face is never proposed for it again. With FACE_RECOGNITION off nothing of this runs and
no embedding is stored (detection only).
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from PIL import Image

from photodesk.conf import photodesk_settings
from photodesk.inference.faces import crop_box
from photodesk.models import Face, Person
from photodesk.signals import people_shown_changed

logger = logging.getLogger(__name__)

EMBEDDING_MODEL = "dlib-resnet-face-v1"


def recognition_on() -> bool:
    return bool(photodesk_settings.FACE_RECOGNITION)


def face_summary(faces: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `analysis.faces` keeps of each face (no embeddings); a provider's attributes
    (Rekognition: age range, smile, glasses, eyes open, pose, emotions) too."""
    return [
        {
            "box": list(f["box"]),
            "score": f["score"],
            "expression": f.get("expression", ""),
            **({"attributes": f["attributes"]} if f.get("attributes") else {}),
        }
        for f in faces
    ]


def human_decided() -> Q:
    """Faces a person decided: kept by re-analysis, left alone by clustering."""
    return Q(state=Face.State.CONFIRMED) | Q(decided_at__isnull=False)


def box_iou(a: list[int], b: list[int]) -> float:
    """Intersection over union of two [x, y, w, h] boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


def crop_thumbnail(pixels: Image.Image, box: list[int]) -> ContentFile:
    """A small JPEG of the face with some context around it (for the admin grids)."""
    crop = crop_box(pixels, box, margin=0.25).convert("RGB")
    side = photodesk_settings.FACE_THUMBNAIL_SIZE
    crop.thumbnail((side, side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    crop.save(buffer, "JPEG", quality=photodesk_settings.FACE_THUMBNAIL_QUALITY)
    return ContentFile(buffer.getvalue())


def faces_changed(image_ids: Iterable[Any]) -> None:
    """Who some images show changed: say so (signal_handlers re-indexes them after commit)."""
    ids = sorted(set(image_ids))
    if ids:
        people_shown_changed.send(sender=Face, image_ids=ids)


def delete_thumbnail_later(name: str) -> None:
    """Remove a crop file once the transaction that dropped its row commits."""
    if not name:
        return
    storage = Face._meta.get_field("thumbnail").storage

    def _delete() -> None:
        try:
            storage.delete(name)
        except Exception:  # a missing file is not worth failing a commit over
            logger.warning("Could not delete face crop %s", name, exc_info=True)

    transaction.on_commit(_delete)


@dataclass
class Match:
    person: Person
    distance: float


class KnownFaces:
    """The embeddings of named people's usable faces, for nearest-person lookups."""

    def __init__(self, exclude_image_id: Any = None) -> None:
        rows = Face.objects.showing().usable()
        if exclude_image_id is not None:
            rows = rows.exclude(image_id=exclude_image_id)
        pairs = list(rows.values_list("person_id", "embedding"))
        self.person_ids = np.array([p for p, _ in pairs], dtype=np.int64)
        self.vectors = (
            np.stack([np.frombuffer(bytes(e), dtype=np.float32) for _, e in pairs])
            if pairs
            else np.zeros((0, 128), np.float32)
        )

    def nearest(self, vector: np.ndarray, excluded: set[int] = frozenset()) -> Match | None:
        """The closest person (min distance over their faces), skipping `excluded` ids."""
        if not len(self.vectors):
            return None
        distances = np.linalg.norm(self.vectors - vector, axis=1)
        best: dict[int, float] = {}
        for pid, d in zip(self.person_ids.tolist(), distances.tolist(), strict=True):
            if pid not in excluded and d < best.get(pid, np.inf):
                best[pid] = d
        if not best:
            return None
        pid = min(best, key=best.get)
        return Match(Person.objects.get(pk=pid), best[pid])


def recognise(face: Face, known: KnownFaces) -> bool:
    """Propose or assign the nearest named person to an unnamed machine face. True if set."""
    if face.vector is None or not face.usable or face.is_human or face.decided_at:
        return False
    excluded = set(face.rejected_people.values_list("pk", flat=True)) if face.pk else set()
    match = known.nearest(face.vector, excluded)
    if match is None or match.distance > photodesk_settings.FACE_REVIEW_DISTANCE:
        return False
    face.person = match.person
    face.distance = round(match.distance, 4)
    face.state = (
        Face.State.AUTO
        if match.distance <= photodesk_settings.FACE_AUTO_DISTANCE
        else Face.State.REVIEW
    )
    face.cluster = None
    return True


def person_from_provider(data: dict[str, Any]) -> Person | None:
    """A provider named the face (e.g. Rekognition celebrities): the Person with one of its
    external ids, else one with that name, else a new one."""
    name = (data.get("name") or "").strip()
    external = {k: v for k, v in (data.get("external_ids") or {}).items() if v}
    for key, value in external.items():
        if not isinstance(value, str | int):
            continue
        found = Person.objects.filter(**{f"external_ids__{key}": value}).first()
        if found:
            return found
    if not name:
        return None
    person = Person.objects.named(name).first()
    if person is None:
        return Person.objects.create(name=name[:200], external_ids=external)
    missing = {k: v for k, v in external.items() if k not in person.external_ids}
    if missing:
        person.external_ids = {**person.external_ids, **missing}
        person.save(update_fields=["external_ids"])
    return person


def store_faces(image: Any, analysis: Any, faces: list[dict[str, Any]], photo: Any) -> list[Face]:
    """Replace the image's machine faces with `faces` (the face contract dicts); keep the
    human-decided ones (a new detection on top of one is dropped). Returns the new rows.
    Call inside the analysis transaction."""
    recognition = recognition_on()
    kept = list(Face.objects.filter(image=image).filter(human_decided()))
    for old in Face.objects.filter(image=image).exclude(pk__in=[f.pk for f in kept]):
        delete_thumbnail_later(old.thumbnail.name)
        old.delete()

    known = KnownFaces(exclude_image_id=image.pk) if recognition and faces else None
    source = ", ".join(
        f"{name}@{version}"
        for name, version in (analysis.model_versions or {}).get("faces", {}).items()
    )[:120]
    created = []
    for data in faces:
        box = [int(v) for v in data["box"]]
        if any(box_iou(box, f.box) >= 0.3 for f in kept):
            continue
        embedding = data.get("embedding") if recognition else None
        face = Face(
            image=image,
            box=box,
            detection_confidence=float(data.get("score") or 0.0),
            expression=data.get("expression") or "",
            expression_confidence=data.get("expression_confidence"),
            quality=float(data.get("quality") or 0.0),
            usable=bool(data.get("usable", True)),
            source=source,
        )
        if embedding is not None:
            face.vector = embedding
            face.embedding_model = data.get("embedding_model") or EMBEDDING_MODEL
        provider_person = data.get("person") if recognition else None
        if provider_person:
            person = person_from_provider(provider_person)
            if person is not None:
                face.person, face.state = person, Face.State.AUTO
                confidence = provider_person.get("confidence")
                if confidence is not None and float(confidence) < 90:
                    face.state = Face.State.REVIEW
        elif known is not None:
            recognise(face, known)
        if photo is not None:
            face.thumbnail.save(
                f"{image.pk}-{uuid.uuid4().hex[:12]}.jpg",
                crop_thumbnail(photo.pixels, box),
                save=False,
            )
        face.save()
        created.append(face)
    return created
