"""The decisions reviewers make about people: name a cluster, assign, reject, remove, merge.

Every decision is a human one: the face becomes "decided" (kept by re-analysis, left alone by
clustering and recognition) and is logged as a FaceDecision. Images whose people changed are
re-indexed after the transaction commits (the people_shown_changed signal), so their names
reach keyword search.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from photodesk.models import Face, FaceCluster, FaceDecision, Person, fold
from photodesk.people.recognition import faces_changed


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
