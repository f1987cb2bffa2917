"""A bounded sample of a long article: its lead and evenly spaced passages of the rest.

Every later stage (the spaCy parse, sentence scoring, key phrases, the keyword query) reads
this sample, never the whole body, so the work one suggestion costs has a ceiling whatever
the body's length. A news story says what it is about first; passages from its middle and
end keep what it goes on to cover.
"""

from __future__ import annotations

import re

# About 1,000 words (a whole news story of average length): what spaCy parses in about a
# quarter of a second.
MAX_CHARS = 6_000
LEAD_SHARE = 0.5  # half the sample is the opening
PASSAGES = 8  # the other half: this many passages spread over the rest

# A sentence or paragraph end: where a passage may start or stop.
_BREAK = re.compile(r"(?<=[.!?])\s+|\n\s*")


def _cut_end(text: str) -> str:
    """`text` up to its last sentence or paragraph end (all of it if it has none)."""
    ends = [m.start() for m in _BREAK.finditer(text)]
    return text[: ends[-1]].rstrip() if ends and ends[-1] > len(text) // 3 else text.rstrip()


def _cut_start(text: str) -> str:
    """`text` from its first sentence or paragraph start (all of it if it has none)."""
    found = _BREAK.search(text)
    return text[found.end() :] if found and found.end() < len(text) * 2 // 3 else text


def sample_text(text: str, limit: int = MAX_CHARS) -> str:
    """`text` itself when it fits in `limit` characters, else its lead and PASSAGES evenly
    spaced passages (each cut at sentence ends where it has them), joined by blank lines,
    at most `limit` characters in all."""
    text = text.strip()
    if len(text) <= limit:
        return text
    lead = _cut_end(text[: int(limit * LEAD_SHARE)])
    rest_start = len(lead)
    rest = len(text) - rest_start
    size = (limit - len(lead)) // PASSAGES - 2  # room for the blank lines between
    parts = [lead]
    for n in range(PASSAGES):
        start = rest_start + (rest * n) // PASSAGES
        passage = _cut_end(_cut_start(text[start : start + size]))
        if passage.strip():
            parts.append(passage.strip())
    return "\n\n".join(parts)[:limit]
