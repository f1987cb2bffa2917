"""ImageNet-1k classes in newsroom words.

The classifier's 1000 classes are fine-grained (120 dog breeds, "tabby", "beach wagon") and some
names are ambiguous ("plane" is a carpenter's tool, "crane" both a bird and a machine). Here each
class gets a readable name and the broader concepts it belongs to (tabby → cat, kitten, pet,
animal), so that "cat", "pet" or "vehicle" find it.

The data is `taxonomy/imagenet_concepts.json`: "readable" (class index → name, for the classes
whose own name misleads) and "concepts" (concept → class indices, in the order concepts are
listed for a class). It was written from the ImageNet/WordNet hierarchy (well-known index
ranges: dogs 151-268, domestic cats 281-285, ...) and everyday knowledge, never from evaluation
captions; object classes are grouped by hand. It is read once, on first use.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("taxonomy") / "imagenet_concepts.json"


@cache
def _data() -> tuple[dict[int, str], dict[str, tuple[int, ...]]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    readable = {int(index): name for index, name in data["readable"].items()}
    concepts = {concept: tuple(indices) for concept, indices in data["concepts"].items()}
    return readable, concepts


# Concepts too broad to describe a class in its prompt ("a kind of dog", not "a kind of animal").
TOO_BROAD = {"animal", "mammal"}


def class_name(index: int, names: list[str]) -> str:
    """A readable name for ImageNet class `index`; `names` are the model's class names."""
    readable, _ = _data()
    return readable.get(index, names[index])


@cache
def _membership() -> dict[int, tuple[str, ...]]:
    _, concepts = _data()
    members: dict[int, list[str]] = {}
    for concept, indices in concepts.items():
        for index in indices:
            if concept not in members.setdefault(index, []):
                members[index].append(concept)
    return {index: tuple(concepts) for index, concepts in members.items()}


def concepts_of(index: int) -> tuple[str, ...]:
    """The concepts a class belongs to, in the order the data file lists them."""
    return _membership().get(index, ())


def concept_scores(probs: dict[int, float]) -> dict[str, float]:
    """Sum class probabilities into concept probabilities (capped at 1)."""
    scores: dict[str, float] = {}
    for index, p in probs.items():
        for concept in concepts_of(index):
            scores[concept] = min(1.0, scores.get(concept, 0.0) + p)
    return scores


def class_prompt(index: int, names: list[str]) -> str:
    """The text a class stands for in the embedding space, e.g.
    "a photo of a golden retriever, a kind of dog / puppy." """
    name = class_name(index, names)
    article = "an" if name[0].lower() in "aeiou" else "a"
    broader = [c for c in concepts_of(index) if c not in TOO_BROAD][:2]
    return (
        f"a photo of {article} {name}"
        + (f", a kind of {' / '.join(broader)}" if broader else "")
        + "."
    )
