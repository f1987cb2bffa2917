"""Extractive summary of long article bodies with TextRank (summa): the sentences most
connected to the rest, in their original order. Short bodies are returned as they are."""

from __future__ import annotations

from photodesk.search.text.sentences import sentences

# Bodies with at most this many sentences need no summary.
SHORT_BODY_SENTENCES = 4


def summary_sentences(body: str, count: int = 3) -> list[str]:
    """Up to `count` sentences that represent the body, in reading order."""
    return representative_sentences(sentences(body), count)


def representative_sentences(parts: list[str], count: int = 3) -> list[str]:
    """Up to `count` of these sentences (a body already split) that represent them all."""
    if len(parts) <= max(count, SHORT_BODY_SENTENCES):
        return parts[:count] if len(parts) > count else parts
    from summa.summarizer import summarize

    ranked = summarize(" ".join(parts), ratio=1.0, split=True, scores=True)
    best = {s for s, _ in sorted(ranked, key=lambda sc: -sc[1])[:count]}
    chosen = [s for s in parts if s in best]
    # summa re-splits the text itself; if its sentences do not line up with ours, fall back
    # to its own strings (still in reading order).
    if not chosen:
        chosen = [s for s, _ in ranked if s in best]
    return chosen[:count] or parts[:count]
