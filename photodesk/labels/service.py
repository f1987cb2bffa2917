"""Tags on images: from model outputs and written text to taxonomy labels, with human
decisions that no model ever overrides. This is the database side; the rules themselves
(routing by confidence, merging evidence, matching words) are in rules.py.

- A model's classes map onto labels (ModelClass); merged labels are followed to their target.
- A label's name and synonyms are matched against what is already stored about an image
  (IPTC keywords, captions, text in the image, raw detections), so a new label reaches the
  whole archive without running a model.
- Rows a person accepted, rejected or added are never changed or removed by this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from photodesk.host import get_image_model, written_text
from photodesk.labels.rules import (
    Candidate,
    Candidates,
    add_candidate,
    class_confidences,
    detection_label,
    merge_candidates,
    model_source,
    route,
    term_index,
    text_evidence,
)
from photodesk.labels.zero_shot import zero_shot_candidates
from photodesk.models import ImageAnalysis, ImageLabel, Label, LabelDecision, ModelClass
from photodesk.signals import tags_decided

IMAGENET = "imagenet-1k"


def label_graph() -> dict[int, Label]:
    """Every label by pk (in the model's order, by name), read in one query, each one's
    parent and merge target linked to the others in memory: walking ancestors or merges
    then reads nothing more. (Read per analysis as the 1,000 class rows with a label each,
    and a query per parent, apply_labels took 29 ms an image; 10 ms now, demo photos.)"""
    labels = {label.pk: label for label in Label.objects.all()}
    for label in labels.values():
        for field in ("parent", "merged_into"):
            target = labels.get(getattr(label, f"{field}_id"))
            if target is not None:
                Label._meta.get_field(field).set_cached_value(label, target)
    return labels


def class_map(labels: dict[int, Label] | None = None) -> dict[int, Label]:
    """ImageNet class index → its active label (merged labels followed to their target).
    `labels`: label_graph(), when the caller has it already."""
    labels = label_graph() if labels is None else labels
    out = {}
    rows = ModelClass.objects.filter(model=IMAGENET, label__isnull=False)
    for index, label_id in rows.values_list("index", "label_id"):
        label = _resolve(labels.get(label_id))
        if label is not None and label.active:
            out[index] = label
    return out


def _resolve(label: Label | None) -> Label | None:
    seen = set()
    while label is not None and label.merged_into_id and label.pk not in seen:
        seen.add(label.pk)
        label = label.merged_into
    return label


def _add(candidates: Candidates, label: Label, cand: Candidate) -> None:
    add_candidate(candidates, [label, *label.ancestors()], cand)


def provider_map(model: str) -> dict[str, Label | None]:
    """A provider's label names (lower case) → their active label, or None: kept raw."""
    out: dict[str, Label | None] = {}
    for mc in ModelClass.objects.filter(model=model).select_related("label"):
        label = _resolve(mc.label)
        out[mc.name.strip().lower()] = label if label is not None and label.active else None
    return out


def provider_candidates(analysis: ImageAnalysis, labels: Iterable[Label]) -> Candidates:
    """Labels from a provider's named detections (Rekognition): through the provider's
    ModelClass rows first (taxonomy/rekognition.py), else by label name or synonym; other
    names stay raw detections. The first instance box goes with the label."""
    detections = [d for d in analysis.labels if d.get("kind") == "class" and d.get("provider")]
    if not detections:
        return {}
    terms = term_index(labels)
    maps: dict[str, dict[str, Label | None]] = {}
    source = model_source(analysis.model_versions)
    candidates: Candidates = {}
    for detection in detections:
        provider = detection["provider"]
        if provider not in maps:
            maps[provider] = provider_map(provider)
        label = detection_label(detection, maps[provider], terms)
        if label is None:
            continue
        box = (detection.get("boxes") or [None])[0]
        _add(candidates, label, Candidate(float(detection["confidence"]), source, box))
    return candidates


def model_candidates(analysis: ImageAnalysis, classes: dict[int, Label]) -> Candidates:
    source = model_source(analysis.model_versions)
    candidates: Candidates = {}
    for label, confidence in class_confidences(analysis.labels, classes):
        _add(candidates, label, Candidate(confidence, source))
    return candidates


def text_candidates(
    image: Any, analysis: ImageAnalysis, labels: Iterable[Label], mapped: set[int] = frozenset()
) -> Candidates:
    """Labels whose name or a synonym appears in the image's written or read text, or (for
    labels no model class maps to, like a new one) in the names of its raw detections."""
    meta = analysis.photo_metadata or {}
    keywords = meta.get("keywords", [])
    caption = written_text(image, analysis)
    # Classifier detections only: a provider's named ones are mapped by provider_candidates.
    detections = [d for d in analysis.labels if d.get("kind") == "class" and not d.get("provider")]
    candidates: Candidates = {}
    for label in labels:
        if not label.active:
            continue
        cand = text_evidence(
            label,
            keywords,
            caption,
            analysis.ocr_text,
            detections,
            from_detections=label.pk not in mapped,
        )
        if cand is not None:
            _add(candidates, label, cand)
    return candidates


@transaction.atomic
def apply_labels(
    image: Any, analysis: ImageAnalysis, only: Iterable[Label] | None = None, joint: Any = None
) -> int:
    """Bring the image's machine-made tags in line with its facts; return rows changed.

    With `only`, just those labels are considered (a new or edited label reaching the
    archive); otherwise every label, and machine rows no longer supported are removed.
    `joint`: the configured joint image–text model (analysis.embedding.joint_model()), whose
    zero-shot labels count when it made the image's vector.
    """
    only = list(only) if only is not None else None
    graph = label_graph()
    # In the graph's order, the model's (by name), as Label.objects.active() gave them.
    labels = only if only is not None else [label for label in graph.values() if label.active]
    classes = class_map(graph)
    if only is not None:
        # The labels asked for, and their parents (which get the child's confidence).
        wanted = {node.pk for label in only for node in [label, *label.ancestors()]}
        classes = {i: lab for i, lab in classes.items() if lab.pk in wanted}
    mapped = {label.pk for label in classes.values()}
    candidates = merge_candidates(
        model_candidates(analysis, classes),
        provider_candidates(analysis, labels),
        text_candidates(image, analysis, labels, mapped),
        zero_shot_candidates(analysis, joint),
    )
    if only is not None:
        candidates = {pk: c for pk, c in candidates.items() if pk in wanted}

    existing = {row.label_id: row for row in ImageLabel.objects.filter(image=image)}
    changed = 0
    for pk, (label, cand) in candidates.items():
        state = route(label, cand.confidence)
        row = existing.get(pk)
        if row is not None and row.is_human:
            continue  # human decisions win
        if state is None:
            if row is not None:
                row.delete()
                changed += 1
            continue
        if row is None:
            ImageLabel.objects.create(
                image=image,
                label=label,
                confidence=cand.confidence,
                source=cand.source,
                state=state,
                box=cand.box,
            )
            changed += 1
        elif (row.confidence, row.source, row.state) != (cand.confidence, cand.source, state):
            row.confidence, row.source, row.state, row.box = (
                cand.confidence,
                cand.source,
                state,
                cand.box,
            )
            row.save(update_fields=["confidence", "source", "state", "box", "updated"])
            changed += 1
    if only is None:
        stale = [row for pk, row in existing.items() if pk not in candidates and not row.is_human]
        for row in stale:
            row.delete()
        changed += len(stale)
    return changed


def rejected_classes(image: Any) -> set[int]:
    """ImageNet classes whose label a person rejected on this image (kept out of its vector)."""
    rejected = set(
        ImageLabel.objects.filter(image=image, state=ImageLabel.State.REJECTED).values_list(
            "label_id", flat=True
        )
    )
    return _classes_under(rejected)


def rejected_classes_by_image(image_ids: Iterable[int]) -> dict[int, set[int]]:
    """rejected_classes of many images in one query (a page of search results); images
    without a rejected label are left out."""
    rejected: dict[int, set[int]] = {}
    rows = ImageLabel.objects.filter(
        image_id__in=list(image_ids), state=ImageLabel.State.REJECTED
    ).values_list("image_id", "label_id")
    for image_id, label_id in rows:
        rejected.setdefault(image_id, set()).add(label_id)
    return {image_id: _classes_under(labels) for image_id, labels in rejected.items()}


def _classes_under(rejected: set[int]) -> set[int]:
    """The classes whose label, or one of its ancestors, is among these label ids."""
    if not rejected:
        return set()
    return {
        index
        for index, label in class_map().items()
        if label.pk in rejected or any(a.pk in rejected for a in label.ancestors())
    }


@transaction.atomic
def decide(row: ImageLabel, state: str, user: Any) -> ImageLabel:
    """A person accepts or rejects a label on an image; audited."""
    if state not in (ImageLabel.State.ACCEPTED, ImageLabel.State.REJECTED):
        raise ValueError(f"A decision is accept or reject, not {state!r}.")
    LabelDecision.objects.create(
        image_label=row,
        image_id_snapshot=row.image_id,
        label_name=row.label.name,
        action="accept" if state == ImageLabel.State.ACCEPTED else "reject",
        from_state=row.state,
        to_state=state,
        user=user,
    )
    row.state, row.decided_by, row.decided_at = state, user, timezone.now()
    row.save(update_fields=["state", "decided_by", "decided_at", "updated"])
    tags_decided.send(sender=ImageLabel, image_ids=[row.image_id])
    return row


@transaction.atomic
def add_label(image: Any, label: Label, user: Any) -> ImageLabel:
    """A person puts a label on an image by hand (accepted, confidence 100); audited."""
    username = getattr(user, "get_username", lambda: "someone")()
    row, created = ImageLabel.objects.update_or_create(
        image=image,
        label=label,
        defaults={
            "confidence": 100.0,
            "source": f"{ImageLabel.PERSON_SOURCE}{username}",
            "state": ImageLabel.State.ACCEPTED,
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    LabelDecision.objects.create(
        image_label=row,
        image_id_snapshot=image.pk,
        label_name=label.name,
        action="add",
        from_state="" if created else "changed",
        to_state=row.state,
        user=user,
    )
    tags_decided.send(sender=ImageLabel, image_ids=[image.pk])
    return row


@transaction.atomic
def merge_labels(source: Label, target: Label, user: Any = None) -> int:
    """Fold `source` into `target`: its images, classes, children and name move over; the
    stronger row wins per image, a human decision over a machine one. Returns rows moved."""
    if source.pk == target.pk:
        raise ValueError("A label cannot be merged into itself.")
    if source in target.ancestors():
        raise ValueError(f"“{target}” is under “{source}”; merge the other way round.")
    moved = 0
    for row in ImageLabel.objects.filter(label=source).select_related("label"):
        other = ImageLabel.objects.filter(image_id=row.image_id, label=target).first()
        if other is None:
            row.label = target
            row.save(update_fields=["label", "updated"])
            moved += 1
        elif (row.is_human and not other.is_human) or (
            row.is_human == other.is_human and row.confidence > other.confidence
        ):
            other.delete()
            row.label = target
            row.save(update_fields=["label", "updated"])
            moved += 1
        else:
            row.delete()
        LabelDecision.objects.create(
            image_label=row if row.pk else None,
            image_id_snapshot=row.image_id,
            label_name=f"{source.name} → {target.name}",
            action="merge",
            from_state=row.state,
            to_state=row.state,
            user=user,
        )
    ModelClass.objects.filter(label=source).update(label=target)
    Label.objects.filter(parent=source).exclude(pk=target.pk).update(parent=target)
    target.synonyms = [*target.synonyms, source.name, *source.synonyms]
    target.save()
    source.active = False
    source.merged_into = target
    source.save(update_fields=["active", "merged_into", "updated"])
    return moved


def images_with_label(name: str, min_confidence: float | None = None):
    """The images (of the configured model) tagged `name` (or a synonym), visible tags only."""
    rows = ImageLabel.objects.visible().with_label(name, min_confidence)
    return get_image_model().objects.filter(pk__in=rows.values("image_id"))


def labels_of(image: Any) -> list[ImageLabel]:
    return list(ImageLabel.objects.visible().filter(image=image).select_related("label"))
