"""Resolve a duplicate group: keep one image, give it what people said about the others
(empty text fields, tag decisions, named faces, words from use), then delete the others
through the site's image model or keep them linked to it. One transaction: if any step
fails (a delete the site refuses, a database error) nothing is changed."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from photodesk.host import host
from photodesk.labels.service import add_label, decide
from photodesk.models import DuplicateGroup, Face, ImageLabel, UsageWords
from photodesk.people.decisions import assign_face

# The image's written fields a copy may fill when the kept image's is empty.
TEXT_ROLES = ("title", "caption", "credit", "copyright")
# Face embeddings (dlib, 128-d) closer than this show the same person in two copies.
SAME_FACE_DISTANCE = 0.45


class ResolveError(ValueError):
    """The group cannot be resolved that way (already resolved, not a member, bad action)."""


def resolve(group: DuplicateGroup, keep_id: int, action: str, user: Any) -> DuplicateGroup:
    """Keep image `keep_id` of `group` and `action` the others ("delete", "link"), or say
    the group shows different pictures ("distinct"). Raises ResolveError, changing nothing."""
    if action not in DuplicateGroup.Action.values:
        raise ResolveError(
            f"Unknown action {action!r}: one of {', '.join(DuplicateGroup.Action.values)}."
        )
    with transaction.atomic():
        group = DuplicateGroup.objects.select_for_update().get(pk=group.pk)
        if group.status != DuplicateGroup.Status.OPEN:
            raise ResolveError(f"Duplicate group {group.pk} is already resolved.")
        member_ids = list(group.members.values_list("image_id", flat=True))
        if keep_id not in member_ids:
            raise ResolveError(f"Image {keep_id} is not in duplicate group {group.pk}.")
        model = host().image_model()
        kept = model.objects.get(pk=keep_id)
        others = list(model.objects.filter(pk__in=member_ids).exclude(pk=keep_id))
        if action == DuplicateGroup.Action.DELETE:
            _refuse_deleting_used([o.pk for o in others])
        if action != DuplicateGroup.Action.DISTINCT:
            merge_into(kept, others, user)
        if action == DuplicateGroup.Action.DELETE:
            for other in others:
                other.delete()  # the site's model: its signals and Photodesk's index follow
        group.status = DuplicateGroup.Status.RESOLVED
        group.kept, group.action = kept, action
        group.resolved_by = user if getattr(user, "pk", None) else None
        group.resolved_at = timezone.now()
        group.save()
    return group


def _refuse_deleting_used(image_ids: list[int]) -> None:
    """An article that shows a copy would lose its picture: such a copy is linked, not
    deleted, until the article shows the kept image instead."""
    used = set(host().last_used(image_ids)) | set(
        UsageWords.objects.active()
        .filter(image_id__in=image_ids)
        .values_list("image_id", flat=True)
    )
    if used:
        names = ", ".join(str(pk) for pk in sorted(used))
        raise ResolveError(
            f"Image {names} is used in an article, which would lose its picture: keep the "
            "copies linked, or put the kept image in the article first."
        )


def merge_into(kept: Any, others: list[Any], user: Any) -> None:
    """Give `kept` what people said about `others` (people's decisions on `kept` win)."""
    _merge_text(kept, others)
    _merge_labels(kept, others, user)
    _merge_faces(kept, others, user)
    _merge_usage(kept, others)


def _merge_text(kept: Any, others: list[Any]) -> None:
    h = host()
    names = {f.name for f in kept._meta.get_fields()}
    changed = []
    for role in TEXT_ROLES:
        field = h.image_field_name(role)
        if not field or field not in names or getattr(kept, field):
            continue
        # The longest text the copies carry: a fuller caption says more.
        value = max((str(getattr(o, field) or "") for o in others), key=len, default="")
        if value:
            setattr(kept, field, value)
            changed.append(field)
    if changed:
        kept.save(update_fields=changed)


def _merge_labels(kept: Any, others: list[Any], user: Any) -> None:
    State = ImageLabel.State
    mine = {
        row.label_id: row for row in ImageLabel.objects.filter(image=kept).select_related("label")
    }
    decided = (
        ImageLabel.objects.filter(image__in=others, state__in=[State.ACCEPTED, State.REJECTED])
        .select_related("label")
        .order_by("-decided_at", "pk")
    )
    for row in decided:
        own = mine.get(row.label_id)
        if own is not None and own.is_human:
            continue  # a decision on the kept image wins
        if row.state == State.ACCEPTED and own is None:
            mine[row.label_id] = add_label(kept, row.label, user)
        elif own is not None:
            mine[row.label_id] = decide(own, row.state, user)


def _vector(face: Face) -> np.ndarray | None:
    return np.frombuffer(bytes(face.embedding), np.float32) if face.embedding else None


def _merge_faces(kept: Any, others: list[Any], user: Any) -> None:
    """A person named on a copy is named on the same face of the kept image: the face whose
    embedding is nearest (or the only face, when both pictures show one)."""
    mine = [f for f in Face.objects.filter(image=kept) if not f.is_human]
    named = Face.objects.filter(image__in=others).showing().select_related("person")
    shown = set(Face.objects.filter(image=kept).showing().values_list("person_id", flat=True))
    for face in named.filter(state=Face.State.CONFIRMED):
        if face.person_id in shown or not mine:
            continue
        target = _same_face(face, mine)
        if target is not None:
            assign_face(target, face.person, user)
            mine.remove(target)
            shown.add(face.person_id)


def _same_face(face: Face, candidates: list[Face]) -> Face | None:
    theirs = _vector(face)
    if theirs is not None:
        scored = [
            (float(np.linalg.norm(_vector(c) - theirs)), c) for c in candidates if c.embedding
        ]
        if scored:
            distance, best = min(scored, key=lambda pair: pair[0])
            return best if distance <= SAME_FACE_DISTANCE else None
    siblings = Face.objects.filter(image_id=face.image_id).count()
    return candidates[0] if len(candidates) == 1 and siblings == 1 else None


def _merge_usage(kept: Any, others: list[Any]) -> None:
    """Words from the articles that used a copy now describe the kept image too."""
    have = set(UsageWords.objects.filter(image=kept).values_list("article_type_id", "article_id"))
    for row in UsageWords.objects.filter(image__in=others).order_by("pk"):
        if (row.article_type_id, row.article_id) in have:
            continue
        have.add((row.article_type_id, row.article_id))
        UsageWords.objects.create(
            image=kept,
            article_type_id=row.article_type_id,
            article_id=row.article_id,
            title=row.title,
            summary=row.summary,
            removed_at=row.removed_at,
            removed_by=row.removed_by,
        )
