"""Who may read /metrics: it shows the archive's size and activity, not for the public."""

from __future__ import annotations

import hmac

from django.http import HttpRequest

from photodesk.conf import photodesk_settings

VIEW_PERMISSION = "semantic_search.view_imageanalysis"


def may_read_metrics(request: HttpRequest) -> bool:
    """A scraper with the bearer token (METRICS_TOKEN), one from METRICS_ALLOWED_IPS, or a
    signed-in staff member who may view image analyses."""
    token = photodesk_settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip(), str(token))
    if request.META.get("REMOTE_ADDR") in set(photodesk_settings.METRICS_ALLOWED_IPS or ()):
        return True
    user = request.user if hasattr(request, "user") else None
    return bool(user and user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))
