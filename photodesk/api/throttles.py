"""Per-user request rates for the expensive requests, and failed sign-ins per address, from
PHOTODESK (API_*_RATE).

Counts live in Django's default cache: give production a shared cache (Redis, memcached) so
every server process counts the same requests.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

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


class LoginRateThrottle(SimpleRateThrottle):
    """Failed sign-ins per client address (API_LOGIN_RATE), against password guessing.

    Only failures count (the token view calls `failed()` when the password is wrong), so a
    person who signs in often is never held up; once the rate is used up every attempt, right
    or wrong, gets 429 with Retry-After until the oldest failure is out of the window. Keyed by
    address, not by username: a username key would let anyone lock a colleague out.
    """

    scope = "photodesk-login"

    def get_rate(self) -> str | None:
        return photodesk_settings.API_LOGIN_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return True  # counted only if it fails (failed())

    def failed(self) -> None:
        if self.rate is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
