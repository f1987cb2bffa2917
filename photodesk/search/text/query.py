"""Turn an article into what search needs: several short query texts for the text model, and
keyword text for the keyword side.

MiniLM reads at most 256 word pieces and was trained on sentence-length texts, so a whole
article is never embedded at once: the title with the opening, the summary's sentences
(centroid scoring, for long bodies) and the key phrases each become a query text of at most
MAX_QUERY_WORDS words; their rankings are fused. Named entities (people, organisations,
places, events) go to the keyword side, where a name matches a caption, an IPTC field or a
person shown in the photo, and the people among them to the "shows <name>" boost.

A long body is read through a bounded sample (sample.py: its lead and evenly spaced
passages), so a 200,000-character body costs what a 6,000-character one does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from photodesk.search.text.entities import Entity, find_entities
from photodesk.search.text.keyphrases import key_phrases
from photodesk.search.text.sample import sample_text
from photodesk.search.text.sentences import sentences
from photodesk.search.text.summary import representative_sentences

# MiniLM was trained on short texts; ~60 words keeps each query focused.
MAX_QUERY_WORDS = 60
MAX_QUERIES = 5
SUMMARY_SENTENCES = 3
# The keyword side of a short body is the body, but never more than this many words.
MAX_KEYWORD_WORDS = 400

__all__ = ["ArticleQuery", "build_article_query"]


@dataclass
class ArticleQuery:
    texts: list[str]  # each embedded separately; their rankings are fused
    keywords: str  # the keyword side's text: title, body and entity names
    entities: list[Entity] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)

    def names(self, *kinds: str) -> list[str]:
        return [e.text for e in self.entities if not kinds or e.kind in kinds]


def _clip(text: str, words: int = MAX_QUERY_WORDS) -> str:
    return " ".join(text.split()[:words])


def build_article_query(title: str, body: str, *, with_entities: bool = True) -> ArticleQuery:
    """Query texts: the title with the opening sentence, then the summary sentences (or, for
    a short body, its sentences) in sentence-sized passages, then the key phrases."""
    title, body = title.strip(), sample_text(body)
    # The text the entities are found in: with spaCy, one parse gives both.
    article = f"{title}.\n{body}"
    body_sentences = sentences(article, start=len(title) + 2) if body else []
    texts: list[str] = []
    lead = " ".join([title, *body_sentences[:1]]).strip()
    if lead:
        texts.append(_clip(lead))
    rest = representative_sentences(body_sentences[1:], count=SUMMARY_SENTENCES)
    passage: list[str] = []
    for sentence in rest:
        passage.append(sentence)
        if len(" ".join(passage).split()) >= MAX_QUERY_WORDS // 2:
            texts.append(_clip(" ".join(passage)))
            passage = []
    if passage:
        texts.append(_clip(" ".join(passage)))
    phrases = key_phrases(f"{title}. {body}")
    if phrases:
        texts.append(_clip(", ".join(phrases)))
    found = find_entities(article) if with_entities else []
    # The keyword side gets what the article is about, not every word of a long body: the
    # title, the opening, the summary, the key phrases and the names.
    short = len(body_sentences) <= SUMMARY_SENTENCES + 1
    focus = _clip(body, MAX_KEYWORD_WORDS) if short else " ".join(texts)
    names = " ".join(e.text for e in found)
    keywords = " ".join(p for p in (title, focus, names) if p)
    return ArticleQuery(
        texts=texts[:MAX_QUERIES] or [title],
        keywords=keywords,
        entities=found,
        key_phrases=phrases,
    )
