"""Key phrases of an article: what it is about, in a few words.

TextRank (Mihalcea & Tarau) over a bounded graph: the words are the MAX_WORDS most frequent
content words of at most MAX_TOKENS tokens, linked when they follow each other; PageRank
ranks them, and adjacent top words in the text join into phrases (scored by their words'
mean). Memory and time are bounded by MAX_WORDS² and MAX_TOKENS, whatever the text."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from photodesk.search.text.tokens import STOP_WORDS

# Bodies shorter than this many words give TextRank too small a graph: use them whole.
MIN_WORDS = 40
MAX_TOKENS = 5_000  # words read (the caller passes a sample of a long article)
MAX_WORDS = 300  # distinct words in the graph: a 300 x 300 matrix
KEYWORD_SHARE = 0.2  # the top fifth of the graph's words are keywords
DAMPING = 0.85
ITERATIONS = 50

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]|[.!?;:,()\"]")


def _content(word: str) -> bool:
    return len(word) > 2 and word not in STOP_WORDS


def key_phrases(text: str, count: int = 8) -> list[str]:
    """Up to `count` key words or phrases, most central first."""
    text = text.strip()
    if len(text.split()) < MIN_WORDS:
        return []
    # Punctuation stays in the token stream: a phrase never runs across it.
    stream = [t.lower() for t in _TOKEN.findall(text[: MAX_TOKENS * 12])][:MAX_TOKENS]
    frequency = Counter(t for t in stream if _content(t))
    nodes = [word for word, _ in frequency.most_common(MAX_WORDS)]
    if len(nodes) < 2:
        return []
    index = {word: i for i, word in enumerate(nodes)}
    links = np.zeros((len(nodes), len(nodes)), dtype=np.float32)
    # Consecutive content words are linked (stop words and punctuation skipped).
    previous = None
    for token in stream:
        if not _content(token):
            continue
        current = index.get(token)
        if current is not None and previous is not None and current != previous:
            links[previous, current] = links[current, previous] = 1.0
        previous = current
    degree = links.sum(axis=0)
    degree[degree == 0] = 1.0
    transition = links / degree  # column-stochastic (isolated words keep zero columns)
    scores = np.full(len(nodes), 1.0 / len(nodes), dtype=np.float32)
    for _ in range(ITERATIONS):
        scores = (1 - DAMPING) / len(nodes) + DAMPING * transition @ scores
    top = np.argsort(-scores, kind="stable")[: max(2, int(len(nodes) * KEYWORD_SHARE))]
    keyword_score = {nodes[i]: float(scores[i]) for i in top}
    phrases: dict[str, float] = {}
    run: list[str] = []
    for token in [*stream, "."]:
        if token in keyword_score:
            run.append(token)
            continue
        if run:
            phrase = " ".join(run)
            if phrase not in phrases and len(run) <= 3:
                phrases[phrase] = sum(keyword_score[w] for w in run) / len(run)
            run = []
    ranked = sorted(phrases, key=lambda p: -phrases[p])
    return ranked[:count]
