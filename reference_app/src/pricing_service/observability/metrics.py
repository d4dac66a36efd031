"""Prometheus metrics: the names and labels are a contract with policies/slo.yaml.

- ``http_request_duration_seconds`` (histogram) and ``http_requests_total`` (counter), labelled
  ``method``, ``route`` (the route template, ``<unmatched>`` when nothing matched, never the raw
  URL) and ``status_class`` (``2xx``..``5xx``). The buckets include exactly 0.25 s: the latency
  objective, so the SLI is an exact bucket, not an interpolation.
- Sync, measured per item: ``pricing_sync_backlog`` and
  ``pricing_sync_oldest_pending_age_seconds`` (what can still be pushed, and how long the oldest
  of it has waited), ``pricing_sync_rejected_products`` (refused by the marketplace for good: a
  ticket, never a freshness page), ``pricing_sync_last_push_timestamp_seconds`` (the last item
  pushed), ``pricing_sync_last_success_timestamp_seconds`` (the last job without a failure)
  (gauges) and ``pricing_sync_items_total`` (counter, label ``outcome``: pushed | failed |
  retried).

Several uvicorn workers share their values through prometheus-client's multiprocess mode: the
``serve`` command prepares ``PROMETHEUS_MULTIPROC_DIR`` (see ``observability/multiprocess.py``)
and GET /metrics then aggregates every worker's files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from pricing_service.core.state import state_of
from pricing_service.settings import Settings
from pricing_service.state import AppState

METRICS_PATH = "/metrics"
# Must contain LATENCY_OBJECTIVE_SECONDS exactly (policies/slo.yaml, api-latency).
LATENCY_OBJECTIVE_SECONDS = 0.25
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_LABELS = ("method", "route", "status_class")

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template.",
    HTTP_LABELS,
    buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter("http_requests", "Requests answered, by route template.", HTTP_LABELS)

# "mostrecent": across workers, the last value any of them set is the truth.
SYNC_BACKLOG = Gauge(
    "pricing_sync_backlog",
    "Products whose price change is waiting to be pushed to the marketplace.",
    multiprocess_mode="mostrecent",
)
SYNC_OLDEST_PENDING_AGE = Gauge(
    "pricing_sync_oldest_pending_age_seconds",
    "Age of the oldest price change not yet pushed (0 when nothing is pending).",
    multiprocess_mode="mostrecent",
)
SYNC_REJECTED = Gauge(
    "pricing_sync_rejected_products",
    "Products whose current price the marketplace refused for good; not in the backlog.",
    multiprocess_mode="mostrecent",
)
SYNC_LAST_SUCCESS = Gauge(
    "pricing_sync_last_success_timestamp_seconds",
    "Unix time of the last sync run that pushed without failures.",
    multiprocess_mode="max",
)
SYNC_LAST_PUSH = Gauge(
    "pricing_sync_last_push_timestamp_seconds",
    "Unix time an item was last pushed to the marketplace.",
    multiprocess_mode="max",
)
SYNC_ITEMS = Counter(
    "pricing_sync_items", "Items the sync worker handled, by outcome.", ("outcome",)
)
SyncOutcome = Literal["pushed", "failed", "retried"]
SYNC_OUTCOMES: tuple[SyncOutcome, ...] = ("pushed", "failed", "retried")
for _outcome in SYNC_OUTCOMES:  # expose every outcome at 0 from the start: rate() needs a base
    SYNC_ITEMS.labels(outcome=_outcome)

# Coroutines run before each scrape, e.g. to read the sync backlog from the database so the
# gauges stay true even when no worker is alive to update them.
ScrapeHook = Callable[[FastAPI], Awaitable[None]]


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def record_sync_item(outcome: SyncOutcome, count: int = 1) -> None:
    SYNC_ITEMS.labels(outcome=outcome).inc(count)


def set_sync_status(
    *,
    backlog: int,
    oldest_pending_age_seconds: float,
    rejected: int = 0,
    last_success: float | None = None,
    last_push: float | None = None,
) -> None:
    """Publish the sync state; ``last_success`` and ``last_push`` are Unix times, when known."""
    SYNC_BACKLOG.set(backlog)
    SYNC_OLDEST_PENDING_AGE.set(max(0.0, oldest_pending_age_seconds))
    SYNC_REJECTED.set(rejected)
    if last_success is not None:
        SYNC_LAST_SUCCESS.set(last_success)
    if last_push is not None:
        SYNC_LAST_PUSH.set(last_push)


def add_scrape_hook(app: FastAPI, hook: ScrapeHook) -> None:
    state_of(app, AppState).scrape_hooks.append(hook)


# Each series' two children, looked up once: ``labels()`` validates and locks on every call.
# As many entries as the metrics have series (method x route template x status class).
_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def record_request(method: str, route: str, status: int, duration_seconds: float) -> None:
    """One answered HTTP request (``bootstrap.middleware`` calls it once per request)."""
    key = (method, route, status // 100)
    series = _REQUEST_SERIES.get(key)
    if series is None:
        labels = (method, route, status_class(status))
        series = (HTTP_REQUEST_DURATION.labels(*labels), HTTP_REQUESTS.labels(*labels))
        _REQUEST_SERIES[key] = series
    duration, count = series
    duration.observe(duration_seconds)
    count.inc()


def _registry(settings: Settings) -> CollectorRegistry:
    if settings.prometheus_multiproc_dir is None:
        return REGISTRY
    registry = CollectorRegistry()  # a fresh one per scrape, as prometheus-client requires
    # prometheus-client leaves this __init__ unannotated; it registers itself on `registry`.
    MultiProcessCollector(registry, path=str(settings.prometheus_multiproc_dir))  # type: ignore[no-untyped-call]
    return registry


router = APIRouter()


@router.get(METRICS_PATH, include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus exposition of this service (all workers, in multiprocess mode)."""
    app: FastAPI = request.app
    state = state_of(app, AppState)
    for hook in state.scrape_hooks:
        await hook(app)
    body = generate_latest(_registry(state.settings))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
