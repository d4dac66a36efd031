"""GET /metrics and the request metrics policies/slo.yaml is built on (names, labels, buckets)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from liveproc import free_port, running
from prometheus_client.parser import text_string_to_metric_families

from pricing_service.core.settings import Environment
from pricing_service.main import create_app
from pricing_service.observability.metrics import (
    LATENCY_BUCKETS,
    LATENCY_OBJECTIVE_SECONDS,
    add_scrape_hook,
    record_sync_item,
    set_sync_status,
)
from pricing_service.observability.multiprocess import MULTIPROC_ENV, multiprocess_metrics
from pricing_service.settings import Settings

SampleKey = tuple[str, frozenset[tuple[str, str]]]


def samples(text: str) -> dict[SampleKey, float]:
    """Every sample of an exposition, keyed by (sample name, labels)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def metrics_app(make_settings: Callable[..., Settings]) -> FastAPI:
    app = create_app(make_settings(metrics_enabled=True))

    @app.get("/api/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/api/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(0.3)
        return {"status": "slow"}

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    return app


@pytest.fixture
def metrics_client(metrics_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(metrics_app, raise_server_exceptions=False) as client:
        yield client


def scrape(client: TestClient) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text: str = response.text
    return text


def test_requests_are_counted_by_route_template_and_status_class(
    metrics_client: TestClient,
) -> None:
    route = {"method": "GET", "route": "/api/items/{item_id}", "status_class": "2xx"}
    before = scrape(metrics_client)
    for item_id in (1, 2, 3):
        assert metrics_client.get(f"/api/items/{item_id}").status_code == 200
    assert metrics_client.get("/api/items/not-a-number").status_code == 422
    assert metrics_client.get("/no/such/page/42").status_code == 404
    assert metrics_client.get("/api/boom").status_code == 500
    after = scrape(metrics_client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("http_requests_total", **route) == 3
    assert delta("http_request_duration_seconds_count", **route) == 3
    assert delta("http_requests_total", **{**route, "status_class": "4xx"}) == 1
    unmatched = {"method": "GET", "route": "<unmatched>", "status_class": "4xx"}
    assert delta("http_requests_total", **unmatched) == 1
    failed = {"method": "GET", "route": "/api/boom", "status_class": "5xx"}
    assert delta("http_requests_total", **failed) == 1
    # The raw URL never becomes a label value: cardinality stays bounded.
    assert "/api/items/1" not in after
    assert "/no/such/page" not in after


def test_latency_histogram_has_a_bucket_exactly_at_the_objective(
    metrics_client: TestClient,
) -> None:
    assert LATENCY_OBJECTIVE_SECONDS in LATENCY_BUCKETS
    labels = {"method": "GET", "route": "/api/slow", "status_class": "2xx"}
    before = scrape(metrics_client)
    assert metrics_client.get("/api/slow").status_code == 200
    after = scrape(metrics_client)
    bounds = {
        s.labels["le"]
        for family in text_string_to_metric_families(after)
        for s in family.samples
        if s.name == "http_request_duration_seconds_bucket" and s.labels["route"] == "/api/slow"
    }
    assert "0.25" in bounds  # policies/slo.yaml reads exactly this series: le="0.25"

    def delta(name: str, **extra: str) -> float:
        return value(after, name, **labels, **extra) - value(before, name, **labels, **extra)

    # The endpoint sleeps 0.3 s, so however fast the machine, it is over the objective.
    assert delta("http_request_duration_seconds_count") == 1
    assert delta("http_request_duration_seconds_bucket", le="0.25") == 0
    assert delta("http_request_duration_seconds_bucket", le="+Inf") == 1


def test_sync_metrics_are_exposed(metrics_app: FastAPI, metrics_client: TestClient) -> None:
    text = scrape(metrics_client)
    for outcome in ("pushed", "failed", "retried"):  # present from the start, at 0 or more
        assert ("pricing_sync_items_total", frozenset({("outcome", outcome)})) in samples(text)
    before = value(text, "pricing_sync_items_total", outcome="pushed")

    async def refresh(app: FastAPI) -> None:  # e.g. read the outbox from the database
        set_sync_status(backlog=4, oldest_pending_age_seconds=120.5, last_success=1_700_000_000)

    add_scrape_hook(metrics_app, refresh)
    record_sync_item("pushed", 3)
    text = scrape(metrics_client)
    assert value(text, "pricing_sync_backlog") == 4
    assert value(text, "pricing_sync_oldest_pending_age_seconds") == 120.5
    assert value(text, "pricing_sync_last_success_timestamp_seconds") == 1_700_000_000
    assert value(text, "pricing_sync_items_total", outcome="pushed") == before + 3


def test_metrics_are_off_unless_enabled(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings())) as client:  # test environment, no override
        response = client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "/metrics" not in create_app(make_settings()).openapi()["paths"]


@pytest.mark.parametrize(
    ("env", "enabled", "expected"),
    [
        (Environment.DEVELOPMENT, None, True),
        (Environment.TEST, None, False),
        (Environment.DEVELOPMENT, False, False),
        (Environment.TEST, True, True),
    ],
)
def test_metrics_setting(env: Environment, enabled: bool | None, expected: bool) -> None:
    settings = Settings(_env_file=None, app_env=env, metrics_enabled=enabled)
    assert settings.serves_metrics is expected


def test_multiprocess_dir_is_prepared_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    with multiprocess_metrics(None, workers=1) as directory:
        assert directory is None  # one worker: in-memory metrics
        assert MULTIPROC_ENV not in os.environ
    with multiprocess_metrics(None, workers=2) as directory:
        assert directory is not None
        assert directory.is_dir()
        assert os.environ[MULTIPROC_ENV] == str(directory)
    assert not directory.exists()  # a temporary directory is removed after the run
    configured = tmp_path / "metrics"
    configured.mkdir()
    (configured / "counter_1.db").write_bytes(b"from an earlier run")
    with multiprocess_metrics(configured, workers=1) as directory:
        assert directory == configured
        assert list(configured.iterdir()) == []  # stale values would add to this run's
    assert configured.is_dir()  # a configured directory stays


def test_several_workers_report_the_requests_all_of_them_served(tmp_path: Path) -> None:
    """`pricing-service serve --workers 2`: every scrape shows the total, whoever answers it."""
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"garbage a stale run left behind")
    env = {
        **os.environ,
        "APP_ENV": "development",  # /metrics on by default
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "LOG_LEVEL": "WARNING",
        MULTIPROC_ENV: str(metrics_dir),
    }
    command = [sys.executable, "-m", "pricing_service.cli", "serve", "--workers", "2"]
    base = f"http://127.0.0.1:{port}"
    with running(
        [*command, "--port", str(port)],
        name="serve",
        env=env,
        log_dir=tmp_path,
        ready_url=f"{base}/health/ready",
        ready_statuses=(200, 503),
        timeout=60,  # two spawned workers on a busy CI machine
        stop_timeout=30,
    ):
        for _ in range(40):  # a new connection each time, so both workers take requests
            assert httpx.get(f"{base}/health/live", timeout=5).status_code == 200
        labels = {"method": "GET", "route": "/health/live", "status_class": "2xx"}
        for _ in range(6):
            text = httpx.get(f"{base}/metrics", timeout=5).text
            assert value(text, "http_requests_total", **labels) == 40
            assert value(text, "http_request_duration_seconds_count", **labels) == 40
        pids = {p.stem.rsplit("_", 1)[-1] for p in metrics_dir.glob("histogram_*.db")}
        assert len(pids) == 2, f"expected both workers to have served requests, got {pids}"
