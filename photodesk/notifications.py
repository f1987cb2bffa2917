"""Telling people when an image is flagged unsafe: e-mail (Django's mail backend) and a webhook."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from django.core.mail import send_mail

from photodesk.conf import photodesk_settings
from photodesk.instruments import NOTIFICATIONS_SENT

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 5


def image_flagged(image: Any, analysis: Any) -> None:
    """Best effort: a failed notification is logged, never fails the analysis."""
    payload = {
        "event": "image.flagged",
        "image_id": image.pk,
        "title": str(image),
        "safety_score": analysis.safety_score,
        "threshold": photodesk_settings.SAFETY_FLAG_THRESHOLD,
    }
    recipients = list(photodesk_settings.SAFETY_NOTIFY_EMAILS)
    if recipients:
        try:
            send_mail(
                subject=f"[Photodesk] Image flagged: {image}",
                message=(
                    f"Image {image.pk} ({image}) scored {analysis.safety_score:.2f} for unsafe "
                    "content and is now flagged: it is left out of suggestions until reviewed."
                ),
                from_email=None,
                recipient_list=recipients,
            )
            NOTIFICATIONS_SENT.labels("email").inc()
        except Exception:
            logger.exception("Could not e-mail about flagged image %s", image.pk)
    url = photodesk_settings.SAFETY_WEBHOOK_URL
    if url:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
                response.read()
            NOTIFICATIONS_SENT.labels("webhook").inc()
        except Exception:
            logger.exception("Webhook %s failed for flagged image %s", url, image.pk)
