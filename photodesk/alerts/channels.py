"""Sending one message on a rule's channels: e-mail (Django's mail backend) and a webhook
(JSON, or a Slack-compatible body). Every message is recorded (AlertDelivery), sent or not;
a channel that fails is logged and recorded, never raised to the caller."""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMessage

from photodesk.conf import photodesk_settings
from photodesk.instruments import NOTIFICATIONS_SENT
from photodesk.models import AlertDelivery, AlertRule

logger = logging.getLogger(__name__)


@dataclass
class Message:
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)  # the webhook's JSON
    event_count: int = 0
    test: bool = False


def addresses(text: str) -> list[str]:
    """Recipients written one per line or comma-separated."""
    return [a for a in re.split(r"[\s,;]+", text or "") if a]


def rule_emails(rule: AlertRule) -> list[str]:
    if rule.from_settings:
        return list(photodesk_settings.SAFETY_NOTIFY_EMAILS)
    return addresses(rule.emails)


def rule_webhook(rule: AlertRule) -> str:
    if rule.from_settings:
        return photodesk_settings.SAFETY_WEBHOOK_URL or ""
    return rule.webhook_url


def send(rule: AlertRule, message: Message) -> list[AlertDelivery]:
    """Send `message` on each channel the rule has; the deliveries recorded."""
    sent = []
    recipients = rule_emails(rule)
    if recipients:
        sent.append(_record(rule, message, "email", ", ".join(recipients), _email, recipients))
    url = rule_webhook(rule)
    if url:
        sent.append(_record(rule, message, "webhook", url, _webhook, url, rule.webhook_format))
    return sent


def _record(rule, message: Message, channel: str, target: str, send_fn, *args) -> AlertDelivery:
    error = ""
    try:
        send_fn(message, *args)
        NOTIFICATIONS_SENT.labels(channel).inc()
    except Exception as exc:
        logger.exception("Alert %r could not be sent by %s to %s", rule.name, channel, target)
        error = f"{type(exc).__name__}: {exc}"
    return AlertDelivery.objects.create(
        rule=rule,
        rule_name=rule.name,
        channel=channel,
        target=target,
        subject=message.subject[:300],
        event_count=message.event_count,
        test=message.test,
        ok=not error,
        error=error,
    )


def _email(message: Message, recipients: list[str]) -> None:
    EmailMessage(message.subject, message.body, to=recipients).send()


def webhook_body(message: Message, style: str) -> dict[str, Any]:
    if style == AlertRule.WebhookFormat.SLACK:
        # Slack's incoming webhooks (and Mattermost's, Teams' connectors) read `text`.
        return {"text": f"*{message.subject}*\n{message.body}"}
    return message.payload


def _webhook(message: Message, url: str, style: str) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(webhook_body(message, style)).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(
        request, timeout=photodesk_settings.ALERT_WEBHOOK_TIMEOUT
    ) as response:
        response.read()
