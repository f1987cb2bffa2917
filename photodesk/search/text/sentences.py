"""Sentences of an article, from the dependency parser of the spaCy pipeline that finds its
entities. Unlike a punctuation rule it does not end a sentence at "Dr.", "Jan." or "U.S.",
and a quotation stays with its sentence. Parsing costs about a third of the entity pass, so
the article is parsed once for both (entities.parse keeps the last few Docs)."""

from __future__ import annotations

from photodesk.search.text.entities import parse


def sentences(text: str, start: int = 0) -> list[str]:
    """The sentences of `text` (its first MAX_CHARS characters, as for entities), or of its
    part from character `start` on (the body of "title.\nbody": the same parse as the
    article's entities)."""
    text = text.strip()
    if not text:
        return []
    found = []
    for sentence in parse(text).sents:
        if sentence.end_char > start:
            part = text[max(sentence.start_char, start) : sentence.end_char].strip()
            if part:
                found.append(part)
    return found
