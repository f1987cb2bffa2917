"""Running a saved search: its query and filters through the search service."""

from __future__ import annotations

from collections.abc import Iterable

from photodesk.models import SavedSearch
from photodesk.search.index import Filters
from photodesk.search.service import Result, search_images


def filters_for(saved: SavedSearch, only_ids: Iterable[int] | None = None) -> Filters:
    """The index's Filters a saved search stands for (`only_ids`: among these images only)."""
    return Filters(
        rights_in=set(saved.rights) if saved.rights else None,
        orientation=saved.orientation or None,
        created_after=saved.created_after,
        created_before=saved.created_before,
        exclude_flagged=saved.flagged == SavedSearch.Flagged.EXCLUDE,
        people_ids=set(saved.people.values_list("pk", flat=True)) or None,
        labels=set(saved.labels) or None,
        include_ids=None if only_ids is None else set(only_ids),
    )


def run(
    saved: SavedSearch, *, only_ids: Iterable[int] | None = None, limit: int | None = None
) -> list[Result]:
    """The saved search's results, best first: at most its limit, and only those at least
    its minimum similarity when it has one."""
    found = search_images(
        saved.query, limit=limit or saved.limit, filters=filters_for(saved, only_ids)
    )
    if saved.min_similarity is not None:
        found = [
            r for r in found if r.similarity is not None and r.similarity >= saved.min_similarity
        ]
    return found
