"""The tagging rules without a database: parents share a child's evidence, the strongest
evidence wins, classes add up, words match whole, and the most trusted text counts first."""

from __future__ import annotations

from photodesk.labels.rules import (
    Candidate,
    add_candidate,
    class_confidences,
    detection_label,
    merge_candidates,
    text_evidence,
)
from photodesk.models import Label

VEHICLE = Label(pk=1, name="vehicle")
CAR = Label(pk=2, name="car", synonyms=["automobile"], parent=VEHICLE)
TAXI = Label(pk=3, name="taxi", synonyms=["cab"], parent=CAR)


def test_a_parent_gets_its_childs_confidence_but_not_its_box():
    candidates: dict = {}
    add_candidate(candidates, [TAXI, CAR, VEHICLE], Candidate(80.0, "model", [1, 2, 3, 4]))
    assert {pk: (c.confidence, c.box) for pk, (_, c) in candidates.items()} == {
        3: (80.0, [1, 2, 3, 4]),
        2: (80.0, None),
        1: (80.0, None),
    }
    add_candidate(candidates, [CAR, VEHICLE], Candidate(60.0, "text:caption"))
    assert candidates[2][1].source == "model"  # weaker evidence does not replace stronger


def test_an_inactive_label_gets_no_candidate():
    retired = Label(pk=4, name="retired", active=False)
    candidates: dict = {}
    add_candidate(candidates, [retired, VEHICLE], Candidate(70.0, "model"))
    assert list(candidates) == [1]


def test_merging_keeps_the_most_confident_evidence_per_label():
    model = {2: (CAR, Candidate(55.0, "model"))}
    text = {2: (CAR, Candidate(90.0, "text:caption")), 1: (VEHICLE, Candidate(90.0, "iptc"))}
    merged = merge_candidates(model, text)
    assert {pk: c.source for pk, (_, c) in merged.items()} == {2: "text:caption", 1: "iptc"}


def test_a_labels_classes_add_up_to_at_most_100():
    detections = [
        {"kind": "class", "index": 817, "confidence": 70.0},
        {"kind": "class", "index": 511, "confidence": 45.05},
        {"kind": "concept", "name": "car", "confidence": 99.0},
        {"kind": "class", "index": 468, "confidence": 12.0},
    ]
    confidences = class_confidences(detections, {817: CAR, 511: CAR, 468: TAXI})
    assert confidences == [(CAR, 100.0), (TAXI, 12.0)]


def test_a_provider_detection_is_named_by_its_mapping_then_by_label_words():
    terms = {"car": CAR, "automobile": CAR, "taxi": TAXI}
    mapped = {"sedan": CAR, "limousine": None}  # None: the provider's name is kept raw
    assert detection_label({"name": "Sedan"}, mapped, terms) is CAR
    assert detection_label({"name": "Cab", "aliases": ["Taxi"]}, mapped, terms) is TAXI
    assert detection_label({"name": "Limousine", "aliases": ["Car"]}, mapped, terms) is None
    assert detection_label({"name": "Tree"}, mapped, terms) is None


def test_words_match_whole_and_the_most_trusted_text_wins():
    def evidence(**text):
        args = {"keywords": [], "caption": "", "ocr_text": "", "detections": [], **text}
        cand = text_evidence(CAR, **args)
        return cand and (cand.source, cand.confidence)

    assert evidence(keywords=[" Automobile "], caption="A car.") == ("iptc", 100.0)
    assert evidence(caption="An old CAR parked.", ocr_text="car") == ("text:caption", 90.0)
    assert evidence(ocr_text="CAR PARK") == ("text:ocr", 75.0)
    assert evidence(caption="A car-park, a carriage, a sidecar, catalogues") is None
    wagon = [
        {"name": "car wheel", "confidence": 30.0},
        {"name": "sports car", "confidence": 41.5},
        {"name": "tabby cat", "confidence": 90.0},
    ]
    assert evidence(detections=wagon) == ("text:detections", 41.5)
    # A label some model class already maps to is not found in detection names.
    assert text_evidence(CAR, [], "", "", wagon, from_detections=False) is None
