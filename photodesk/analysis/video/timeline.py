"""Facts of analysed frames into time ranges: each frame speaks for its segment, and a fact
seen in adjacent segments becomes one range (best confidence, and when). Pure."""

from __future__ import annotations

from dataclasses import dataclass

# Segments closer than this (seconds) count as adjacent.
GAP = 0.05


@dataclass
class Range:
    key: str
    start: float
    end: float
    best: float  # the best score (confidence, or minus a distance)
    best_time: float
    extra: dict


def merge(observations: list[tuple[str, float, float, float, float, dict]]) -> list[Range]:
    """(key, start, end, score, time, extra) → ranges per key, adjacent ones merged, in order
    of start. A higher score is better; `extra` of the best observation is kept."""
    ranges: list[Range] = []
    open_by_key: dict[str, Range] = {}
    for key, start, end, score, time, extra in sorted(observations, key=lambda o: (o[1], o[0])):
        current = open_by_key.get(key)
        if current is not None and start <= current.end + GAP:
            current.end = max(current.end, end)
            if score > current.best:
                current.best, current.best_time, current.extra = score, time, extra
            continue
        current = Range(key, start, end, score, time, extra)
        open_by_key[key] = current
        ranges.append(current)
    return sorted(ranges, key=lambda r: (r.start, r.key))


def clock(seconds: float) -> str:
    """01:23 (or 1:02:03 past an hour)."""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
