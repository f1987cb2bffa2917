"""Per-user request rates for the expensive requests, from PHOTODESK (API_*_RATE).

Counts live in Django's default cache: give production a shared cache (Redis, memcached) so
every server process counts the same requests.
"""

from __future__ import annotations

from rest_framework.throttling import UserRateThrottle

from photodesk.conf import photodesk_settings


class PhotodeskRateThrottle(UserRateThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        return getattr(photodesk_settings, self.setting)


class UploadRateThrottle(PhotodeskRateThrottle):
    """Uploads (each one runs every model on the worker)."""

    scope = "photodesk-upload"
    setting = "API_UPLOAD_RATE"


class SearchRateThrottle(PhotodeskRateThrottle):
    """Searches, suggestions, similar images, face search (each embeds a query)."""

    scope = "photodesk-search"
    setting = "API_SEARCH_RATE"
