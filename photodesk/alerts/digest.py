"""One message per rule and interval: a rule's pending events wait ALERT_DIGEST_SECONDS
after the first of them (so a burst arrives whole) and at least the rule's minimum interval
after its last message, then go out together: one alert, or one digest of all of them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from photodesk.alerts import channels
from photodesk.alerts.channels import Message
from photodesk.conf import photodesk_settings
from photodesk.models import AlertDelivery, AlertEvent, AlertRule

# A digest's text lists this many events; the webhook's JSON carries all of them.
LISTED = 100


def due_at(rule: AlertRule, now: dt.datetime | None = None, *, wait: bool = True) -> dt.datetime:
    """When the rule's pending events may be sent (`wait`: after the digest delay)."""
    now = now or timezone.now()
    first = rule.events.filter(sent_at=None).order_by("created").first()
    due = now
    if wait and first is not None:
        due = max(
            due, first.created + dt.timedelta(seconds=photodesk_settings.ALERT_DIGEST_SECONDS)
        )
    if rule.last_sent_at is not None:
        due = max(due, rule.last_sent_at + dt.timedelta(minutes=rule.min_interval_minutes))
    return due


def deliver(rule: AlertRule, now: dt.datetime | None = None) -> list[AlertDelivery]:
    """Send the rule's pending events as one message if its interval allows, else nothing
    (the caller schedules the next try at due_at)."""
    now = now or timezone.now()
    if due_at(rule, now, wait=False) > now:
        return []
    ids = list(rule.events.filter(sent_at=None).values_list("pk", flat=True))
    if not ids:
        return []
    # Claim them: a second flush running at the same time finds none left to send.
    AlertEvent.objects.filter(pk__in=ids, sent_at=None).update(sent_at=now)
    events = list(AlertEvent.objects.filter(pk__in=ids, sent_at=now))
    if not events:
        return []
    rule.last_sent_at = now
    rule.save(update_fields=["last_sent_at"])
    return channels.send(rule, compose(rule, events))


def compose(rule: AlertRule, events: list[AlertEvent]) -> Message:
    count = len(events)
    if count == 1:
        subject = f"[Photodesk] {rule.name}: {events[0].text}"
    else:
        subject = f"[Photodesk] {rule.name}: {count} new matches"
    lines = [f"- {event.text}" for event in events[:LISTED]]
    if count > LISTED:
        lines.append(f"… and {count - LISTED} more")
    body = f"{rule.get_kind_display()}.\n\n" + "\n".join(lines) + "\n"
    payload = {
        "event": "photodesk.alert",
        "rule": rule.name,
        "kind": rule.kind,
        "count": count,
        "text": subject,
        "events": [{**event.data, "text": event.text} for event in events],
    }
    return Message(subject[:300], body, payload, event_count=count)


def send_test(rule: AlertRule) -> list[AlertDelivery]:
    """A test message on the rule's channels (the admin's "Send test" button)."""
    subject = f"[Photodesk] Test of the alert rule “{rule.name}”"
    body = f"This is a test. The rule: {rule.get_kind_display()}.\n"
    payload = {"event": "photodesk.alert.test", "rule": rule.name, "kind": rule.kind, "count": 0}
    return channels.send(rule, Message(subject, body, payload, test=True))
