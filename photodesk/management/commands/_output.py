"""Printing results as JSON or as readable lines (shared by search, suggest, labels, people)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from photodesk.search.service import Result


def rows_output(rows: list[dict[str, Any]], as_json: bool, line: Callable[[dict], str]) -> str:
    """Rows as one JSON array, or one line each (`line(row)`), or "Nothing found."."""
    if as_json:
        return json.dumps(rows, ensure_ascii=False)
    if not rows:
        return "Nothing found."
    return "\n".join(line(r) for r in rows)


def results_json(results: list[Result]) -> str:
    return json.dumps([r.as_dict() for r in results], ensure_ascii=False)


def results_table(results: list[Result]) -> str:
    if not results:
        return "No images found."
    lines = [f"{'#':>2}  {'id':>5}  {'score':>8}  {'file':<32}  reasons"]
    for rank, result in enumerate(results, start=1):
        row = result.as_dict()
        lines.append(
            f"{rank:>2}  {row['id']:>5}  {row['score']:>8.4f}  "
            f"{row['original_filename'][:32]:<32}  {'; '.join(row['reason_texts'][:3])}"
        )
    return "\n".join(lines)
