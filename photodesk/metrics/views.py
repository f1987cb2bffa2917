"""GET /metrics in Prometheus' text format: this process's counters and histograms (or every
process's, summed from PROMETHEUS_MULTIPROC_DIR when the web and the worker share one), then
the database's figures read now."""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from photodesk.metrics.access import may_read_metrics
from photodesk.metrics.database import DatabaseCollector


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        return HttpResponse("Forbidden: see PHOTODESK METRICS_TOKEN.\n", status=403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    body = generate_latest(processes) + generate_latest(database)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
