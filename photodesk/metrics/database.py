"""Figures read from the database and the task broker at scrape time: the honest source for
state shared by every process (analyses by state, documents the index still owes, the queue).
A gauge kept in memory would only know what one process did."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from photodesk.models import ImageAnalysis

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        states = GaugeMetricFamily(
            "photodesk_analyses", "Image analyses by state.", labels=["state"]
        )
        counts = dict(
            ImageAnalysis.objects.values_list("status").annotate(n=Count("pk")).order_by()
        )
        for state in ImageAnalysis.Status.values:
            states.add_metric([state], counts.get(state, 0))
        yield states

        pending = ImageAnalysis.objects.index_pending().aggregate(
            n=Count("pk"), oldest=Min("updated")
        )
        yield GaugeMetricFamily(
            "photodesk_index_pending_documents",
            "Images whose index entry is behind the database (index lag).",
            value=pending["n"],
        )
        yield GaugeMetricFamily(
            "photodesk_index_pending_oldest_seconds",
            "Age of the oldest change the index has not taken yet (0: none).",
            value=_age(now, pending["oldest"]),
        )

        try:
            depth, oldest = queue_state()
        except Exception:  # the broker down: /metrics still answers; /health/ready says why
            logger.warning("Could not read the task queue for /metrics", exc_info=True)
            return
        yield GaugeMetricFamily(
            "photodesk_queue_depth", "Tasks waiting in the django-q2 queue.", value=depth
        )
        if oldest is not None or depth == 0:
            yield GaugeMetricFamily(
                "photodesk_queue_oldest_task_age_seconds",
                "How long the oldest waiting task has been queued (0: none).",
                value=_age(now, oldest),
            )


def queue_state() -> tuple[int, datetime | None]:
    """(tasks waiting, when the oldest was queued) from django-q2's broker; the time is None
    for a broker whose queue cannot be read without taking from it."""
    from django_q.brokers import get_broker  # needs the app registry: import late

    broker = get_broker()
    return broker.queue_size(), _oldest_enqueued(broker)


def _oldest_enqueued(broker: Any) -> datetime | None:
    from django_q.brokers.orm import ORM
    from django_q.signing import SignedPackage

    if isinstance(broker, ORM):
        # A waiting row's lock is the time it was queued (a taken row's lies in the future).
        return (
            broker.get_connection()
            .filter(key=broker.list_key, lock__lte=timezone.now())
            .aggregate(oldest=Min("lock"))["oldest"]
        )
    lindex = getattr(getattr(broker, "connection", None), "lindex", None)
    if lindex is not None:  # Redis: a list, the oldest task first
        payload = lindex(broker.list_key, 0)
        return SignedPackage.loads(payload).get("started") if payload else None
    return None


def _age(now: datetime, then: datetime | None) -> float:
    return round((now - then).total_seconds(), 3) if then else 0.0
