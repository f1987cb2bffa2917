"""One page format for every list: {count, next, previous, results}.

A `?page=` or `?page_size=` that is not a number in range is the client's mistake, answered
with 400 naming the parameter (DRF would answer 404 for the page and quietly use the default
or the maximum for the size); a page number past the last page stays a 404 (no such page).
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from photodesk.conf import photodesk_settings


def _whole_number(request: Any, param: str, low: int, high: int | None) -> int | None:
    """The parameter as an int in [low, high], None when absent; 400 naming it otherwise."""
    raw = request.query_params.get(param)
    if raw is None:
        return None
    bound = f"from {low} to {high}" if high is not None else f"from {low}"
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        raise ValidationError({param: [f"Must be a whole number {bound} (got {raw[:40]!r})."]})
    return value


class PhotodeskPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    def get_page_size(self, request) -> int:
        self.page_size = photodesk_settings.API_PAGE_SIZE
        self.max_page_size = photodesk_settings.API_MAX_PAGE_SIZE
        asked = _whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return asked if asked is not None else self.page_size

    def get_page_number(self, request, paginator) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return paginator.num_pages  # ?page=last
        number = _whole_number(request, self.page_query_param, 1, None)
        return number if number is not None else 1
