"""ImageNet classes in newsroom words: readable names, the concepts that find them, prompts."""

from __future__ import annotations

from photodesk.labels.imagenet import class_name, class_prompt, concept_scores, concepts_of

NAMES = [f"class {i}" for i in range(1000)]
NAMES[207], NAMES[726], NAMES[134] = "golden retriever", "plane", "crane"


def test_ambiguous_classes_get_readable_names_and_the_rest_keep_their_own():
    assert class_name(726, NAMES) == "carpenter's hand plane"
    assert class_name(134, NAMES) == "crane bird"
    assert class_name(207, NAMES) == "golden retriever"


def test_a_class_belongs_to_broader_concepts_in_the_order_they_are_listed():
    assert concepts_of(281) == ("pet", "cat", "kitten", "animal", "mammal")  # tabby
    assert concepts_of(817) == ("car", "vehicle", "road traffic")  # sports car
    assert concepts_of(726) == () and concepts_of(1000) == ()


def test_concept_scores_sum_the_classes_and_stop_at_one():
    scores = concept_scores({281: 0.7, 282: 0.6, 817: 0.1})
    assert scores["cat"] == 1.0 and scores["vehicle"] == 0.1 and "dog" not in scores


def test_a_prompt_names_the_class_and_two_concepts_that_are_not_too_broad():
    assert class_prompt(207, NAMES) == "a photo of a golden retriever, a kind of dog / puppy."
    assert class_prompt(726, NAMES) == "a photo of a carpenter's hand plane."
