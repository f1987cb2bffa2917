"""Sentence splitting good enough for news prose (no model needed)."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"'“‘(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]
