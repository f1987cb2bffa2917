"""How evidence becomes a tag, with no database: the routing by confidence, how candidates
from several sources are kept and merged, and how a label's words are matched in text.

The ORM work (which labels exist, which classes map to them, the rows on an image) is in
service.py, which feeds these functions what it read.

- A label's confidence from a model is the sum of its classes' probabilities (at most 100),
  and its parents get the child's confidence.
- A label found in text gets a confidence for where it was found (TEXT_CONFIDENCE).
- At or above the accept threshold a label is applied, between review and accept it waits for
  a reviewer, below review it is not stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from photodesk.models import ImageLabel, Label

# Confidence given to a label found in text, by where it was found.
TEXT_CONFIDENCE = {"iptc": 100.0, "caption": 90.0, "ocr": 75.0}


@dataclass
class Candidate:
    """The evidence for one label on one image: how sure, from what, and where (a box)."""

    confidence: float
    source: str
    box: list | None = None


# Label pk → (the label, its strongest evidence).
Candidates = dict[int, tuple[Label, Candidate]]


def route(label: Label, confidence: float) -> str | None:
    """The state a label with this confidence gets (auto or review), or None: not stored."""
    accept, review = label.thresholds()
    if confidence >= accept:
        return ImageLabel.State.AUTO
    if confidence >= review:
        return ImageLabel.State.REVIEW
    return None


def add_candidate(candidates: Candidates, lineage: list[Label], cand: Candidate) -> None:
    """Keep the strongest evidence per label. `lineage` is the label then its ancestors:
    they get the child's confidence (not its box); inactive ones are skipped."""
    for depth, node in enumerate(lineage):
        if not node.active:
            continue
        held = candidates.get(node.pk)
        if held is None or cand.confidence > held[1].confidence:
            candidates[node.pk] = (
                node,
                Candidate(cand.confidence, cand.source, cand.box if depth == 0 else None),
            )


def merge_candidates(*groups: Candidates) -> Candidates:
    """One candidate per label: the most confident of the groups'."""
    out: Candidates = {}
    for group in groups:
        for pk, (label, cand) in group.items():
            if pk not in out or cand.confidence > out[pk][1].confidence:
                out[pk] = (label, cand)
    return out


def model_source(model_versions: Mapping[str, Any]) -> str:
    """ "name@version+name@version" of the label models that ran, for ImageLabel.source."""
    versions = model_versions.get("labels", {})
    return "+".join(f"{name}@{version}" for name, version in versions.items()) or "model"


def class_confidences(
    detections: Iterable[dict], classes: Mapping[int, Label]
) -> list[tuple[Label, float]]:
    """Each label's confidence from a classifier's detections: the sum of its classes'
    (at most 100, one decimal). `classes` maps a class index to its label."""
    summed: dict[int, tuple[Label, float]] = {}
    for detection in detections:
        index = detection.get("index")
        if detection.get("kind") != "class" or index not in classes:
            continue
        label = classes[index]
        _, total = summed.get(label.pk, (label, 0.0))
        summed[label.pk] = (label, min(100.0, total + float(detection["confidence"])))
    return [(label, round(confidence, 1)) for label, confidence in summed.values()]


def term_index(labels: Iterable[Label]) -> dict[str, Label]:
    """Every active label's name and synonyms (lower case) → the label (first one wins)."""
    terms: dict[str, Label] = {}
    for label in labels:
        if label.active:
            for term in label.terms():
                terms.setdefault(term.strip().lower(), label)
    return terms


def detection_label(
    detection: dict, provider_names: Mapping[str, Label | None], terms: Mapping[str, Label]
) -> Label | None:
    """The label a provider's named detection means: its name, then its aliases ("Person" is
    also "Human"), through the provider's own mapping first, else a label's name or synonym.
    The first name known decides, an explicit None (kept raw) included."""
    for name in [detection["name"], *detection.get("aliases", [])]:
        name = name.strip().lower()
        if name in provider_names:
            return provider_names[name]
        if name in terms:
            return terms[name]
    return None


def term_pattern(label: Label) -> re.Pattern:
    """The label's name or any synonym as a whole word (longest first), any case."""
    terms = sorted(
        (re.escape(t.strip()) for t in label.terms() if t.strip()), key=len, reverse=True
    )
    return re.compile(r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-])", re.IGNORECASE)


def text_evidence(
    label: Label,
    keywords: Iterable[str],
    caption: str,
    ocr_text: str,
    detections: list[dict],
    from_detections: bool = True,
) -> Candidate | None:
    """Where the label's words appear, most trusted first: the IPTC keywords, the written
    caption, the text read in the image, or (when `from_detections`: no model class maps to
    the label) the names of the classifier's detections, at their best confidence."""
    terms = {t.lower() for t in label.terms()}
    pattern = term_pattern(label)
    if terms & {k.strip().lower() for k in keywords}:
        return Candidate(TEXT_CONFIDENCE["iptc"], ImageLabel.IPTC_SOURCE)
    if caption and pattern.search(caption):
        return Candidate(TEXT_CONFIDENCE["caption"], "text:caption")
    if ocr_text and pattern.search(ocr_text):
        return Candidate(TEXT_CONFIDENCE["ocr"], "text:ocr")
    names = " ; ".join(d["name"] for d in detections)
    if from_detections and names and pattern.search(names):
        best = max((d["confidence"] for d in detections if pattern.search(d["name"])), default=0.0)
        return Candidate(float(best), "text:detections")
    return None
