"""Which rules an archive's change matches, recorded once per rule and key (AlertEvent):
event rules as each analysis finishes (record_analysis) and person rules as faces are named
later (record_people), count rules and saved searches on
the schedule (check_rules). Sending is digest.py's job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from photodesk.alerts import saved
from photodesk.conf import photodesk_settings
from photodesk.host import host
from photodesk.models import AlertEvent, AlertRule, Face, ImageAnalysis, ImageLabel

SETTINGS_RULE_NAME = "Images flagged unsafe"


def settings_rule() -> AlertRule | None:
    """The rule standing for SAFETY_NOTIFY_EMAILS / SAFETY_WEBHOOK_URL, made the first time
    either is set (an admin may then change its interval or switch it off)."""
    if not (photodesk_settings.SAFETY_NOTIFY_EMAILS or photodesk_settings.SAFETY_WEBHOOK_URL):
        return None
    rule, _ = AlertRule.objects.get_or_create(
        from_settings=True,
        defaults={"name": SETTINGS_RULE_NAME, "kind": AlertRule.Kind.FLAGGED},
    )
    return rule


def event_rules() -> list[AlertRule]:
    settings_rule()
    rules = AlertRule.objects.filter(active=True, kind__in=AlertRule.EVENT_KINDS)
    if not (photodesk_settings.SAFETY_NOTIFY_EMAILS or photodesk_settings.SAFETY_WEBHOOK_URL):
        rules = rules.exclude(from_settings=True)  # its settings were removed
    return list(rules.select_related("person"))


def wanted() -> bool:
    """Whether a finished analysis needs checking at all (one cheap query)."""
    return bool(
        photodesk_settings.SAFETY_NOTIFY_EMAILS
        or photodesk_settings.SAFETY_WEBHOOK_URL
        or AlertRule.objects.filter(active=True, kind__in=AlertRule.EVENT_KINDS).exists()
    )


def record_analysis(image_id: int, kinds: tuple[str, ...] | None = None) -> list[AlertRule]:
    """Match image `image_id`'s finished analysis against the event rules (of `kinds`, or
    all); the rules that gained an event (an image matches a rule once, however often it is
    re-analysed or its faces named)."""
    rules = [rule for rule in event_rules() if kinds is None or rule.kind in kinds]
    if not rules:
        return []
    analysis = (
        ImageAnalysis.objects.done().filter(image_id=image_id).select_related("image").first()
    )
    if analysis is None:
        return []
    title = host().image_title(analysis.image)
    matched = []
    for rule in rules:
        found = _match(rule, analysis, title)
        if found and add_event(rule, f"image:{image_id}", *found, image_id=image_id):
            matched.append(rule)
    return matched


def wanted_people() -> bool:
    """Whether naming faces needs checking at all (one cheap query)."""
    return AlertRule.objects.filter(active=True, kind=AlertRule.Kind.PERSON).exists()


def record_people(image_ids: list[int]) -> list[AlertRule]:
    """Who these images show changed after their analysis (a face named in review, a cluster
    named, people merged): match them against the person rules; the rules that gained an
    event."""
    matched: dict[int, AlertRule] = {}
    for image_id in image_ids:
        for rule in record_analysis(image_id, kinds=(AlertRule.Kind.PERSON,)):
            matched[rule.pk] = rule
    return list(matched.values())


def _match(
    rule: AlertRule, analysis: ImageAnalysis, title: str
) -> tuple[str, dict[str, Any]] | None:
    base = {"image_id": analysis.image_id, "title": title}
    if rule.kind == AlertRule.Kind.LABEL:
        tag = (
            ImageLabel.objects.visible()
            .filter(image_id=analysis.image_id)
            .with_label(rule.label, rule.min_confidence)
            .select_related("label")
            .first()
        )
        if tag is None:
            return None
        data = {**base, "label": tag.label.name, "confidence": round(tag.confidence, 1)}
        return f"{title}: {tag.label.name} ({tag.confidence:.0f} %)", data
    if rule.kind == AlertRule.Kind.PERSON:
        shown = Face.objects.showing().filter(image_id=analysis.image_id, person=rule.person)
        if rule.person is None or not shown.exists():
            return None
        return f"{title} shows {rule.person.name}", {**base, "person": rule.person.name}
    if rule.kind == AlertRule.Kind.FLAGGED and analysis.flagged:
        score = analysis.safety_score or 0.0
        data = {
            **base,
            "event": "image.flagged",
            "safety_score": score,
            "threshold": photodesk_settings.SAFETY_FLAG_THRESHOLD,
        }
        return f"{title} (score {score:.2f})", data
    return None


def add_event(
    rule: AlertRule, key: str, text: str, data: dict[str, Any], image_id: int | None = None
) -> bool:
    """Record a match unless this rule already has one with this key; True if new."""
    try:
        with transaction.atomic():
            _, created = AlertEvent.objects.get_or_create(
                rule=rule,
                key=key,
                defaults={"text": text[:500], "data": data, "image_id": image_id},
            )
    except IntegrityError:  # another worker recorded it first
        return False
    return created


def check_rules(now: dt.datetime | None = None) -> list[AlertRule]:
    """The scheduled check: count rules and saved searches; the rules that gained events."""
    now = now or timezone.now()
    matched = []
    rules = AlertRule.objects.filter(active=True).exclude(kind__in=AlertRule.EVENT_KINDS)
    for rule in rules.select_related("saved_search"):
        if _check(rule, now):
            matched.append(rule)
        rule.checked_at = now
        rule.save(update_fields=["checked_at"])
    return matched


def _check(rule: AlertRule, now: dt.datetime) -> bool:
    if rule.kind == AlertRule.Kind.LABEL_COUNT:
        window = dt.timedelta(minutes=max(rule.window_minutes, 1))
        count = labelled_since(rule.label, rule.min_confidence, now - window)
        if count < rule.threshold:
            return False
        bucket = int(now.timestamp() // window.total_seconds())
        text = f"{count} images labelled {rule.label} in the last {rule.window_minutes} minutes"
        return add_event(rule, f"window:{bucket}", text, {"label": rule.label, "count": count})
    if rule.kind == AlertRule.Kind.FAILURES:
        count = ImageAnalysis.objects.failed().filter(updated__gte=now - dt.timedelta(hours=1))
        count = count.count()
        if count <= rule.threshold:
            return False
        text = f"{count} analyses failed in the last hour"
        return add_event(rule, f"hour:{int(now.timestamp() // 3600)}", text, {"count": count})
    if rule.kind == AlertRule.Kind.SAVED_SEARCH and rule.saved_search is not None:
        return bool(new_results(rule, now))
    return False


def labelled_since(label: str, min_confidence: float, since: dt.datetime) -> int:
    """Images whose analysis finished since `since` and that show `label`."""
    rows = ImageLabel.objects.visible().with_label(label, min_confidence or None)
    rows = rows.filter(image__analysis__finished_at__gte=since)
    return rows.aggregate(n=Count("image_id", distinct=True))["n"]


def new_results(rule: AlertRule, now: dt.datetime) -> list[int]:
    """Images analysed since the rule last ran that the saved search finds (within its top
    N and minimum similarity, among the new images): each recorded once."""
    since = rule.checked_at or rule.created
    new_ids = list(
        ImageAnalysis.objects.done()
        .filter(finished_at__gt=since, finished_at__lte=now)
        .values_list("image_id", flat=True)
    )
    if not new_ids:
        return []
    search = rule.saved_search
    added = []
    for result in saved.run(search, only_ids=new_ids):
        title = host().image_title(result.image)
        similarity = None if result.similarity is None else round(result.similarity, 3)
        data = {"image_id": result.image.pk, "title": title, "similarity": similarity}
        text = f"{title} matches “{search.query}”"
        if add_event(rule, f"image:{result.image.pk}", text, data, image_id=result.image.pk):
            added.append(result.image.pk)
    return added
