"""The system check for OpenSearch: reachable, index present, mapping current.

Warnings, not errors: the database is the source of truth, so the site works (saving images,
the admin) while the index is down or stale; searches just cannot be answered well.
"""

from __future__ import annotations

from django.core.checks import Warning

from photodesk.search.index import opensearch_index

# A system check must answer quickly, even about a dead host.
CHECK_TIMEOUT = 3.0


def opensearch_warnings() -> list[Warning]:
    """What is wrong with the OpenSearch node and index the settings name (OPENSEARCH_URL
    must be set)."""
    index = opensearch_index(timeout=CHECK_TIMEOUT)
    url = index.options.url
    try:
        index.client.cluster.health()
    except Exception as exc:
        return [
            Warning(
                f"OpenSearch at {_safe(url)} is unreachable: {type(exc).__name__}: {exc}",
                hint="Start it (bash scripts/opensearch.sh start) or fix OPENSEARCH_URL; "
                "images saved meanwhile are indexed when it returns.",
                id="photodesk.W010",
            )
        ]
    try:
        serving = index.aliases()[index.alias]
        problems = index.mapping_problems() if serving else []
    except Exception as exc:
        return [
            Warning(
                f"Could not read the OpenSearch index {index.alias}: {exc}",
                id="photodesk.W011",
            )
        ]
    if not serving:
        return [
            Warning(
                f"The OpenSearch index {index.alias} does not exist.",
                hint="Run `manage.py reindex` to build it from the database.",
                id="photodesk.W011",
            )
        ]
    if problems:
        return [
            Warning(
                f"The OpenSearch index {index.alias} is stale: {'; '.join(problems)}.",
                hint="Run `manage.py reindex`: it builds a new index from the database and "
                "swaps the alias without downtime.",
                id="photodesk.W012",
            )
        ]
    return []


def _safe(url: str) -> str:
    """The URL without a password."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"
