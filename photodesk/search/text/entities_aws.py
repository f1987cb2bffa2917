"""Named entities of an article with Amazon Comprehend, beside the spaCy provider
(text/entities.py): the same shape, a list of (text, kind) with spaCy's kinds, so the query
builder does not care which one ran.

Comprehend's BatchDetectEntities takes up to 25 documents of at most 5,000 bytes (UTF-8)
each: texts are cut into chunks at sentence or word boundaries under that limit, and the
chunks of many texts share batches, so an article costs one call per 25 chunks
(125,000 bytes).
"""

from __future__ import annotations

import logging
import re

from photodesk.aws import calls, clients
from photodesk.conf import photodesk_settings
from photodesk.search.text.entities import Entity

logger = logging.getLogger(__name__)

BATCH_DOCUMENTS = 25
MAX_DOCUMENT_BYTES = 5000

# Comprehend's entity types → the spaCy labels the rest of Photodesk uses.
KINDS = {
    "PERSON": "PERSON",
    "ORGANIZATION": "ORG",
    "LOCATION": "GPE",
    "EVENT": "EVENT",
    "COMMERCIAL_ITEM": "PRODUCT",
    "TITLE": "WORK_OF_ART",
}  # DATE, QUANTITY and OTHER are left out, as the spaCy provider leaves out dates and numbers


def chunks(text: str, limit: int = MAX_DOCUMENT_BYTES) -> list[str]:
    """`text` cut into pieces of at most `limit` UTF-8 bytes, at sentence ends where
    possible, else at spaces, else anywhere (never inside a character)."""
    pieces: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        sentence = sentence.strip()
        if not sentence:
            continue
        joined = f"{current} {sentence}".strip()
        if len(joined.encode()) <= limit:
            current = joined
            continue
        if current:
            pieces.append(current)
        current = ""
        for word in sentence.split():
            joined = f"{current} {word}".strip()
            if len(joined.encode()) <= limit:
                current = joined
                continue
            if current:
                pieces.append(current)
            while len(word.encode()) > limit:  # one enormous "word"
                cut = word.encode()[:limit].decode(errors="ignore")
                pieces.append(cut)
                word = word[len(cut) :]
            current = word
    if current:
        pieces.append(current)
    return pieces


def entities_batch(texts: list[str]) -> list[list[Entity]]:
    """Distinct entities of each text (in order of first appearance), one list per text."""
    owners: list[int] = []
    documents: list[str] = []
    for position, text in enumerate(texts):
        for piece in chunks(text or ""):
            owners.append(position)
            documents.append(piece)
    found: list[dict[tuple[str, str], Entity]] = [{} for _ in texts]
    client = clients.client("comprehend")
    minimum = photodesk_settings.AWS_COMPREHEND_MIN_SCORE
    for start in range(0, len(documents), BATCH_DOCUMENTS):
        batch = documents[start : start + BATCH_DOCUMENTS]
        response = calls.call(
            client,
            "BatchDetectEntities",
            TextList=batch,
            LanguageCode=photodesk_settings.AWS_COMPREHEND_LANGUAGE,
        )
        for error in response.get("ErrorList", []):
            logger.warning(
                "Comprehend could not read part of a text: %s: %s",
                error.get("ErrorCode"),
                error.get("ErrorMessage"),
            )
        for result in sorted(response.get("ResultList", []), key=lambda r: r["Index"]):
            seen = found[owners[start + result["Index"]]]
            for item in sorted(result.get("Entities", []), key=lambda e: e.get("BeginOffset", 0)):
                kind = KINDS.get(item.get("Type", ""))
                name = item.get("Text", "").strip()
                if kind and name and item.get("Score", 0.0) >= minimum:
                    seen.setdefault((name.lower(), kind), Entity(name, kind))
    return [list(seen.values()) for seen in found]


def entities(text: str) -> list[Entity]:
    """Distinct PERSON/ORG/GPE/EVENT/PRODUCT/WORK_OF_ART entities of `text`."""
    if not (text or "").strip():
        return []
    return entities_batch([text])[0]
