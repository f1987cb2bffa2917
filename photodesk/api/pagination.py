"""One page format for every list: {count, next, previous, results}."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

from photodesk.conf import photodesk_settings


class PhotodeskPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    def get_page_size(self, request) -> int:
        self.page_size = photodesk_settings.API_PAGE_SIZE
        self.max_page_size = photodesk_settings.API_MAX_PAGE_SIZE
        return super().get_page_size(request)
