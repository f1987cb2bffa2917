"""The django-q2 schedules that run alerts and reports (photodesk.tasks functions): the
periodic rule check, one delayed flush per rule with pending events, one per report."""

from __future__ import annotations

import datetime as dt

from photodesk.conf import photodesk_settings
from photodesk.models import Report

RULE_CHECK = "photodesk-alert-rules"


def _schedule_model():
    from django_q.models import Schedule  # django_q needs the app registry: import late

    return Schedule


def ensure_rule_check() -> None:
    """The periodic check of count rules and saved searches (made with the first rule)."""
    schedule = _schedule_model()
    schedule.objects.update_or_create(
        name=RULE_CHECK,
        defaults={
            "func": "photodesk.tasks.check_alert_rules",
            "schedule_type": schedule.MINUTES,
            "minutes": photodesk_settings.ALERT_CHECK_MINUTES,
            "repeats": -1,
        },
    )


def flush_name(rule_id: int) -> str:
    return f"photodesk-alert-flush-{rule_id}"


def flush_at(rule_id: int, when: dt.datetime) -> bool:
    """Run photodesk.tasks.flush_alerts(rule_id) once at `when`. A flush of that rule already
    scheduled sends these events too: it is only moved to `when` if it would run earlier (it
    would find the rule's interval not yet passed). True if a new one was scheduled."""
    schedule = _schedule_model()
    existing = schedule.objects.filter(name=flush_name(rule_id))
    if existing.exists():
        existing.filter(next_run__lt=when).update(next_run=when)
        return False
    schedule.objects.create(
        name=flush_name(rule_id),
        func="photodesk.tasks.flush_alerts",
        args=str(rule_id),
        schedule_type=schedule.ONCE,
        repeats=-1,  # deleted once it has run
        next_run=when,
    )
    return True


def report_name(report_id: int) -> str:
    return f"photodesk-report-{report_id}"


def sync_report(report: Report) -> None:
    """The report's schedule follows its frequency; none while it is inactive or deleted."""
    schedule = _schedule_model()
    if report.pk is None or not report.active:
        schedule.objects.filter(name=report_name(report.pk)).delete()
        return
    schedule.objects.update_or_create(
        name=report_name(report.pk),
        defaults={
            "func": "photodesk.tasks.run_report",
            "args": str(report.pk),
            "schedule_type": report.frequency,  # Report.Frequency uses django-q2's letters
            "repeats": -1,
        },
    )


def drop_report(report_id: int) -> None:
    _schedule_model().objects.filter(name=report_name(report_id)).delete()
