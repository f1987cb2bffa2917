"""Turn an article into query texts that fit the text model's window, and keyword text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# MiniLM was trained on short texts; ~60 words keeps each query focused.
MAX_QUERY_WORDS = 60
MAX_QUERIES = 4

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“])")


@dataclass
class ArticleQuery:
    texts: list[str]  # each embedded separately; their rankings are fused
    keywords: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def _clip(text: str, words: int = MAX_QUERY_WORDS) -> str:
    return " ".join(text.split()[:words])


def build_article_query(title: str, body: str) -> ArticleQuery:
    """The title with the opening, then the body in sentence-sized passages."""
    title, body = title.strip(), body.strip()
    body_sentences = sentences(body)
    texts: list[str] = []
    lead = " ".join([title, *body_sentences[:1]]).strip()
    if lead:
        texts.append(_clip(lead))
    passage: list[str] = []
    for sentence in body_sentences[1:]:
        passage.append(sentence)
        if len(" ".join(passage).split()) >= MAX_QUERY_WORDS // 2:
            texts.append(_clip(" ".join(passage)))
            passage = []
        if len(texts) >= MAX_QUERIES:
            break
    if passage and len(texts) < MAX_QUERIES:
        texts.append(_clip(" ".join(passage)))
    return ArticleQuery(texts=texts or [title], keywords=f"{title} {body}".strip())
