"""Printing search results as JSON or as a readable table (shared by search and suggest)."""

from __future__ import annotations

import json

from semantic_search.search import Result


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
