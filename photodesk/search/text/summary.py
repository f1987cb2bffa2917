"""Extractive summary of long article bodies: the sentences closest to the centroid of the
whole (a TF-IDF vector of all its sentences), in their original order. Short bodies are
returned as they are.

Centroid scoring costs one pass over the words (TextRank compares every pair of sentences),
and at most MAX_SENTENCES sentences are scored, spread evenly over the body."""

from __future__ import annotations

import math
from collections import Counter

from photodesk.search.text.sentences import sentences
from photodesk.search.text.tokens import tokens

# Bodies with at most this many sentences need no summary.
SHORT_BODY_SENTENCES = 4
MAX_SENTENCES = 200


def summary_sentences(body: str, count: int = 3) -> list[str]:
    """Up to `count` sentences that represent the body, in reading order."""
    return representative_sentences(sentences(body), count)


def spread(items: list, limit: int) -> list:
    """At most `limit` of `items`, evenly spaced, in their order."""
    if len(items) <= limit:
        return items
    return [items[(len(items) * n) // limit] for n in range(limit)]


def representative_sentences(parts: list[str], count: int = 3) -> list[str]:
    """Up to `count` of these sentences (a body already split) that represent them all."""
    if len(parts) <= max(count, SHORT_BODY_SENTENCES):
        return parts[:count]
    parts = spread(parts, MAX_SENTENCES)
    bags = [Counter(tokens(sentence)) for sentence in parts]
    seen_in = Counter(word for bag in bags for word in bag)
    idf = {word: math.log(len(bags) / df) + 1.0 for word, df in seen_in.items()}
    centroid: Counter = Counter()
    for bag in bags:
        for word, n in bag.items():
            centroid[word] += n * idf[word]
    centroid_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0

    def score(bag: Counter) -> float:
        weights = {word: n * idf[word] for word, n in bag.items()}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        if not norm:
            return 0.0
        return sum(w * centroid[word] for word, w in weights.items()) / (norm * centroid_norm)

    ranked = sorted(range(len(parts)), key=lambda i: (-score(bags[i]), i))
    best = sorted(ranked[:count])
    return [parts[i] for i in best]
