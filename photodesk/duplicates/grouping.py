"""Find the archive's copies of an image and put them in one duplicate group.

Candidates come from two places: the nearest visual vectors (the in-process visual index the
borrowed-words step keeps current, so no second copy of the vectors is held), and the
perceptual hashes of every image (64 bits each, kept in this process: duplicates/hashes.py),
which also finds copies of
images that have no visual vector (an AWS-only analysis). Each candidate is then judged
exactly (detection.same_picture) from its stored vector and hash. Frames of a burst look
like one picture to both signals; the camera's capture time tells them apart (a copy keeps
it or has none; EXIF counts whole seconds, so frames within one second still pair up).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction

from photodesk.analysis.borrowed import neighbours
from photodesk.analysis.decode import InvalidImage, read_bytes
from photodesk.duplicates.detection import CANDIDATE_COSINE, HASH_SURE_BITS, same_picture
from photodesk.duplicates.fingerprint import hamming, hammings, read_print
from photodesk.duplicates.hashes import hashes as stored_hashes
from photodesk.models import DuplicateGroup, DuplicateMember, ImageAnalysis, ImageFingerprint
from photodesk.series.grouping import capture

# Visual neighbours looked at per image: copies of one picture are rarely more than a few.
NEAREST = 12


@dataclass(frozen=True)
class Match:
    image_id: int
    similarity: float
    hash_bits: int


def fingerprint(image: Any, analysis: ImageAnalysis) -> ImageFingerprint | None:
    """The image's stored hash, computed again only when its file changed (None: the file
    cannot be read)."""
    row = ImageFingerprint.objects.filter(image_id=image.pk).first()
    if row is not None and row.content_hash == analysis.content_hash:
        return row
    try:
        data = read_bytes(image)
        value, width, height = read_print(data)
    except (InvalidImage, OSError, ValueError):
        return None
    row, _ = ImageFingerprint.objects.update_or_create(
        image_id=image.pk,
        defaults={
            "phash": value,
            "content_hash": analysis.content_hash,
            "width": width,
            "height": height,
            "file_size": len(data),
        },
    )
    return row


def _unit(blob: bytes | None) -> np.ndarray | None:
    if blob is None:
        return None
    v = np.frombuffer(bytes(blob), np.float32)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def copies_of(image: Any, analysis: ImageAnalysis, print_: ImageFingerprint) -> list[Match]:
    """Other images of the archive that show the same picture, closest first."""
    visual = _unit(analysis.visual_embedding)
    candidates: set[int] = set()
    if visual is not None:
        neighbours.refresh(force=True)
        for index in (neighbours.lenders, neighbours.borrowers):
            candidates |= {
                pk for pk, sim in index.nearest(visual, NEAREST) if sim >= CANDIDATE_COSINE
            }
    ids, hashes = stored_hashes.all(exclude=image.pk)
    if len(ids):
        close = hammings(print_.phash, hashes) <= HASH_SURE_BITS
        candidates |= set(ids[close].tolist())
    candidates.discard(image.pk)
    if not candidates:
        return []
    stored = dict(
        ImageFingerprint.objects.filter(image_id__in=candidates).values_list("image_id", "phash")
    )
    rows = (
        ImageAnalysis.objects.done()
        .filter(image_id__in=candidates)
        .values_list("image_id", "visual_embedding", "photo_metadata")
    )
    taken, _ = capture(analysis.photo_metadata or {})
    vectors, exposures = {}, set()
    for pk, blob, metadata in rows:
        vectors[pk] = blob
        if another_exposure(taken, metadata):
            exposures.add(pk)
    matches = []
    for pk in candidates:
        if pk not in stored or pk not in vectors:
            continue  # not analysed yet: it finds this image when its own turn comes
        if pk in exposures:
            continue  # another frame of a burst (series), not a copy
        other = _unit(vectors[pk])
        similarity = float(visual @ other) if visual is not None and other is not None else 0.0
        bits = hamming(print_.phash, stored[pk])
        alone = other is None or visual is None
        if same_picture(similarity, bits) if not alone else bits <= HASH_SURE_BITS:
            matches.append(Match(pk, round(similarity, 4), bits))
    return sorted(matches, key=lambda m: (m.hash_bits, -m.similarity))


def another_exposure(taken: dt.datetime | None, metadata: dict | None) -> bool:
    """Whether the camera says a photo with this metadata was taken at another moment than
    `taken`: frames of a burst look like one picture, but a copy keeps its capture time (or
    has none)."""
    if taken is None:
        return False
    return capture(metadata or {})[0] not in (None, taken)


@transaction.atomic
def record_duplicates(image: Any) -> DuplicateGroup | None:
    """Put `image` and its copies in one group (joining, and if needed uniting, the groups
    they are already in; a resolved group a new copy joins opens again). None: no copies."""
    analysis = ImageAnalysis.objects.filter(image_id=image.pk).first()
    if analysis is None or analysis.status != ImageAnalysis.Status.DONE:
        return None
    print_ = fingerprint(image, analysis)
    if print_ is None:
        return None
    matches = copies_of(image, analysis, print_)
    if not matches:
        return None
    ids = [image.pk, *(m.image_id for m in matches)]
    members = DuplicateMember.objects.select_for_update().filter(image_id__in=ids)
    groups = sorted({m.group_id for m in members})
    if groups:
        group = DuplicateGroup.objects.select_for_update().get(pk=groups[0])
        if len(groups) > 1:
            DuplicateMember.objects.filter(group_id__in=groups[1:]).update(group=group)
            DuplicateGroup.objects.filter(pk__in=groups[1:]).delete()
    else:
        group = DuplicateGroup.objects.create()
    already = set(DuplicateMember.objects.filter(group=group).values_list("image_id", flat=True))
    new = [
        DuplicateMember(
            group=group, image_id=m.image_id, similarity=m.similarity, hash_bits=m.hash_bits
        )
        for m in matches
        if m.image_id not in already
    ]
    if image.pk not in already:
        new.append(DuplicateMember(group=group, image_id=image.pk))
    if new:
        DuplicateMember.objects.bulk_create(new)
        if group.status != DuplicateGroup.Status.OPEN:
            group.status, group.action, group.resolved_at = DuplicateGroup.Status.OPEN, "", None
        group.save()
    return group
