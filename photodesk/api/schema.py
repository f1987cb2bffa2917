"""OpenAPI post-processing: the error answers every client must handle, documented on each
operation (drf-spectacular documents only the success), so generated clients and schemathesis
know them."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": '`{"detail": "…"}`, or field name → list of messages (400).',
    "additionalProperties": True,
}
MEANINGS = {
    "400": "The request is invalid; the body says what to change.",
    "401": "Not signed in (send `Authorization: Token …` or a session cookie).",
    "403": "Your role does not allow this (or the CSRF token is missing).",
    "404": "No such object (or no such page).",
    "415": "The body's Content-Type is not one this operation reads.",
    "429": "Too many requests: wait the seconds in `Retry-After`.",
    "503": "Search is unavailable for a moment (the index cannot be reached).",
}
# Operations whose answers are search results: they are throttled and need the index.
SEARCHING = ("/search/", "/suggestions/", "/similar/")


def add_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["401", "403"]
            if operation.get("parameters") or operation.get("requestBody") or "{" in path:
                codes.append("400")
            codes.append("404")  # an unknown id or page (any answer may be paginated)
            if operation.get("requestBody"):
                codes.append("415")
            if any(part in path for part in SEARCHING) or (
                method == "post" and path.endswith(("/images/", "/auth/token/"))
            ):
                codes.append("429")
            if any(part in path for part in SEARCHING):
                codes.append("503")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": MEANINGS[code],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
