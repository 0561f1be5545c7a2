"""Two middlewares: the operator endpoints, answered before anything else runs, and
request timing by view for Prometheus."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from paperfeed import metrics
from paperfeed.monitoring.collectors import DatabaseCollector
from paperfeed.monitoring.readiness import readiness


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and serving (no database involved)."""
    return _no_store(JsonResponse({"status": "alive"}))


def readyz(request: HttpRequest) -> HttpResponse:
    ready, report = readiness()
    report["status"] = "ready" if ready else "not ready"
    return _no_store(JsonResponse(report, status=200 if ready else 503))


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Every process of this machine (multiprocess files) plus the database gauges."""
    if not settings.PAPERFEED_METRICS:
        return HttpResponse("metrics are off (PAPERFEED_METRICS=1)\n", status=404)
    registry = metrics.process_registry()
    body = generate_latest(registry) + generate_latest(_database_registry())
    return _no_store(HttpResponse(body, content_type=CONTENT_TYPE_LATEST))


def _database_registry():
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return registry


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics_view,
}


class OperatorEndpointsMiddleware:
    """``/healthz``, ``/readyz`` and ``/metrics``, for GET only, ahead of every other
    middleware: a load balancer or Prometheus probing by IP address is not refused by
    the host check, needs no session, and a probe costs no more than it must."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return endpoint(request)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetricsMiddleware:
    """Time every request, labelled by the URL pattern's name (not the path, so the
    number of series stays bounded), the method and the status code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"
        method = request.method if request.method in _METHODS else "other"
        metrics.REQUEST_SECONDS.labels(view, method, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
