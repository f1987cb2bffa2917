"""GET /health/live (the process answers; touches nothing else) and GET /health/ready (200
when every dependency answers, else 503, with each one's status and latency). Public: they
carry no secrets, and probes from a load balancer do not log in."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.log import log_response
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from photodesk.health.probes import readiness


@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    ok, body = readiness()
    response = JsonResponse(body, status=200 if ok else 503)
    if not ok:
        # Once per probe, as a warning naming what is down (Django would log each 503 as an
        # error without saying why: a load balancer probes every few seconds).
        down = [name for name, check in body["checks"].items() if check["status"] != "ok"]
        log_response(
            "Not ready (%s): %s",
            ", ".join(down),
            request.path,
            response=response,
            request=request,
            level="warning",
        )
    return response
