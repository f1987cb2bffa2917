"""Key phrases of an article: what it is about, in a few words (TextRank keywords, summa)."""

from __future__ import annotations

from photodesk.search.text.tokens import STOP_WORDS

# Bodies shorter than this many words give TextRank too small a graph: use them whole.
MIN_WORDS = 40


def key_phrases(text: str, count: int = 8) -> list[str]:
    """Up to `count` key words or phrases, most central first."""
    text = text.strip()
    if len(text.split()) < MIN_WORDS:
        return []
    from summa import keywords

    try:
        ranked = keywords.keywords(text, split=True, scores=False)
    except (IndexError, ValueError, ZeroDivisionError):  # degenerate texts (one word repeated)
        return []
    phrases = [p for p in ranked if p.lower() not in STOP_WORDS and len(p) > 2]
    return phrases[:count]
