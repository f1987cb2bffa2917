"""People in the archive: queries (photos of, photos with, search by face, names in a text)
and the decisions reviewers make (name a cluster, assign, reject, remove, merge).

Every decision is a human one: the face becomes "decided" (kept by re-analysis, left alone by
clustering and recognition) and is logged as a FaceDecision. Images whose people changed are
re-indexed after the transaction commits, so their names reach keyword search.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .conf import photodesk_settings
from .faces import faces_changed
from .images import get_image_model
from .models import Face, FaceCluster, FaceDecision, Person, fold


class NoFaceFound(ValueError):
    """The photo given to search_by_face has no face good enough to search with."""


class FaceRecognitionOff(RuntimeError):
    """PHOTODESK['FACE_RECOGNITION'] is False: nothing can be compared by face."""


# --- queries ---------------------------------------------------------------------------------


def _images_showing(people: QuerySet) -> QuerySet:
    return Face.objects.showing().filter(person__in=people).values("image_id")


def photos_of_person(person: Person) -> QuerySet:
    """Images showing `person` (auto-recognised or confirmed faces)."""
    return get_image_model().objects.filter(
        pk__in=_images_showing(Person.objects.filter(pk=person.pk))
    )


def photos_of(name: str) -> QuerySet:
    """Images showing the person called `name` (a name or alias; case and accents ignored)."""
    return get_image_model().objects.filter(pk__in=_images_showing(Person.objects.named(name)))


def photos_with(names: list[str]) -> QuerySet:
    """Images showing every one of `names` together."""
    images = get_image_model().objects.all()
    if not names:
        return images.none()
    for name in names:
        images = images.filter(pk__in=_images_showing(Person.objects.named(name)))
    return images


def _query_face(data: bytes) -> np.ndarray:
    from .analyzers.faces import detect_faces
    from .pipeline import decode

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


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


MAX_NAME_WORDS = 6


def people_in_text(text: str) -> list[Person]:
    """People whose name or an alias appears in `text` as whole words (case and accents
    ignored), in order of first mention."""
    words = _words(text).split()
    if not words:
        return []
    by_name: dict[str, set[int]] = {}
    for pk, names in Person.objects.values_list("pk", "search_names"):
        for name in names.strip("|").split("|"):
            key = _words(name)
            if key:
                by_name.setdefault(key, set()).add(pk)
    found: list[int] = []
    for start in range(len(words)):
        for n in range(min(MAX_NAME_WORDS, len(words) - start), 0, -1):
            for pk in by_name.get(" ".join(words[start : start + n]), ()):
                if pk not in found:
                    found.append(pk)
    people = Person.objects.in_bulk(found)
    return [people[pk] for pk in found]


# --- decisions -------------------------------------------------------------------------------


def _log(face: Face, action: str, person: Person | None, user: Any) -> None:
    FaceDecision.objects.create(
        face=face,
        image_id_snapshot=face.image_id,
        person_name=person.name if person else "",
        action=action,
        user=user if getattr(user, "pk", None) else None,
    )


def _decide(face: Face, user: Any) -> None:
    face.decided_by = user if getattr(user, "pk", None) else None
    face.decided_at = timezone.now()


@transaction.atomic
def assign_face(face: Face, person: Person, user: Any) -> Face:
    """A reviewer says this face is `person` (also how a "needs review" face is confirmed)."""
    action = "confirm" if face.person_id == person.pk else "name"
    old_image = face.image_id
    face.person, face.state, face.distance, face.cluster = person, Face.State.CONFIRMED, None, None
    _decide(face, user)
    face.save()
    face.rejected_people.remove(person)
    _log(face, action, person, user)
    faces_changed([old_image])
    return face


@transaction.atomic
def reject_face(face: Face, user: Any) -> Face:
    """The face is not its current person: unnamed again, and that person is never proposed
    for it again (recognition, cluster naming)."""
    if face.person_id is None:
        raise ValueError("This face has no person to reject.")
    person = face.person
    face.rejected_people.add(person)
    face.person, face.state, face.distance, face.cluster = None, Face.State.UNKNOWN, None, None
    _decide(face, user)
    face.save()
    _log(face, "reject", person, user)
    faces_changed([face.image_id])
    return face


@transaction.atomic
def remove_face_from_cluster(face: Face, user: Any) -> Face:
    """A wrong face in a cluster: out of it, and not put back by clustering."""
    cluster_id = face.cluster_id
    face.cluster = None
    _decide(face, user)
    face.save()
    _log(face, "remove", None, user)
    if cluster_id and not Face.objects.filter(cluster_id=cluster_id).exists():
        FaceCluster.objects.filter(pk=cluster_id).delete()
    return face


@transaction.atomic
def name_cluster(cluster: FaceCluster, person: Person, user: Any) -> int:
    """Every face of the cluster is `person` (confirmed), except faces a reviewer already
    said are not them, which leave the cluster unnamed. Returns the faces named."""
    named = 0
    image_ids = []
    for face in cluster.faces.select_for_update().prefetch_related("rejected_people"):
        if person in face.rejected_people.all():
            face.cluster = None
            face.save(update_fields=["cluster", "updated"])
            continue
        face.person, face.state, face.distance, face.cluster = (
            person,
            Face.State.CONFIRMED,
            None,
            None,
        )
        _decide(face, user)
        face.save()
        _log(face, "name", person, user)
        image_ids.append(face.image_id)
        named += 1
    cluster.delete()
    faces_changed(image_ids)
    return named


@transaction.atomic
def merge_people(source: Person, target: Person, user: Any) -> Person:
    """`source` and `target` are one person: faces, rejections, names and ids move to
    `target`; `source` is deleted. Returns target."""
    if source.pk == target.pk:
        raise ValueError("A person cannot be merged into themselves.")
    faces = list(Face.objects.filter(person=source))
    for face in faces:
        _log(face, "merge", target, user)
    Face.objects.filter(person=source).update(person=target)
    for face in Face.objects.filter(rejected_people=source):
        face.rejected_people.remove(source)
        face.rejected_people.add(target)
    known = {fold(n) for n in target.all_names()}
    for name in source.all_names():
        if fold(name) not in known:
            target.aliases = [*target.aliases, name]
            known.add(fold(name))
    target.external_ids = {**source.external_ids, **target.external_ids}
    if not target.description and source.description:
        target.description = source.description
    target.save()
    source.delete()  # its faces were moved first: nothing is released
    faces_changed([f.image_id for f in faces])
    return target
