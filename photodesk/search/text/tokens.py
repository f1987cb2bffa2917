"""Word tokens for keyword matching: lower case, no stop words, plural and -ing folded.

Hand-written on purpose, not spaCy's tokenizer and stop words: every indexed document is
tokenised (the embedded index and OpenSearch's whitespace-analysed fields share these tokens),
where a regular expression costs a fraction of spaCy's tokenizer; and spaCy's stop list drops
words a photo search needs ("top", "front", "back", "side", "empty", "full", "show", and "us",
which is the US once lower-cased), while this list also drops newsroom filler ("photo",
"said", "year")."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "photo",
        "image",
        "picture",
        "said",
        "says",
        "new",
        "one",
        "two",
        "three",
        "year",
        "years",
        "day",
        "days",
        "week",
        "weeks",
        "time",
        "also",
        "first",
        "last",
        "next",
    ]
)


def stem(word: str) -> str:
    """A deliberately light stemmer: enough to match 'cars'/'car', 'buses'/'bus'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "uses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    return word


def tokens(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def bounded_terms(text: str, limit: int) -> str:
    """`text` cut so that it holds at most `limit` distinct terms (the first ones): a search
    backend matches each term in each field as its own clause (OpenSearch refuses more than
    1,024), and a body of random words would otherwise bring thousands."""
    kept, seen = [], set()
    for word in text.split():
        terms = set(tokens(word))
        if terms - seen and len(seen | terms) > limit:
            break
        seen |= terms
        kept.append(word)
    return " ".join(kept)
