"""Operations (issue 22): a standalone worker serves /metrics, `serve` exits non-zero when one of
its workers dies, and an idempotent read whose connection a database restart closed is retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from liveproc import LiveProcess, free_port
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.orm import Session

from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.live_server import live_server
from tests.sync_support import (
    FakeServer,
    add_products,
    cli_env,
    enqueue,
    worker_settings,
)


def _samples(body: str) -> dict[str, float]:
    return {
        sample.name + str(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_a_standalone_worker_serves_metrics(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    database_url: str,
) -> None:
    add_products(db, 3)
    enqueue(worker_settings(make_settings, fake_server))
    port = free_port()
    env = cli_env(
        DATABASE_URL=database_url,
        ML_API_BASE_URL=fake_server.url,
        SYNC_POLL_SECONDS="0.1",
        SYNC_SCHEDULE_SECONDS="0",
        SYNC_RATE_LIMIT_PER_SECOND="1000",
    )
    command = [sys.executable, "-m", "pricing_service.cli", "worker", "--metrics-port", str(port)]
    worker = LiveProcess.start(command, name="worker", env=env)
    url = f"http://127.0.0.1:{port}/metrics"

    def pushed_three() -> bool:
        try:
            samples = _samples(httpx.get(url, timeout=2).text)
        except httpx.TransportError:
            return False
        pushed = samples.get("pricing_sync_items_total[('outcome', 'pushed')]")
        return pushed == 3 and samples.get("pricing_sync_backlog[]") == 0

    try:
        worker.wait_until("showing 3 items pushed and none left on /metrics", pushed_three, 30)
        response = httpx.get(url, timeout=2)
        assert response.headers["content-type"].startswith("text/plain")
        samples = _samples(response.text)
        assert samples["pricing_sync_rejected_products[]"] == 0
        assert samples["pricing_sync_last_push_timestamp_seconds[]"] > time.time() - 60
    finally:
        code = worker.stop(timeout=30)
    assert code == 0


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child pids from /proc")
def test_serve_exits_non_zero_when_one_of_its_workers_dies(database_url: str) -> None:
    with live_server(database_url, "--workers", "2") as server:
        serve = server.process
        serve.wait_until("starting two workers", lambda: len(serve.children()) >= 2, 30)
        victim = serve.children()[-1]
        os.kill(victim, signal.SIGKILL)
        try:
            serve.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("serve kept running after one of its workers was killed")
        log = server.output()
    assert serve.process.returncode not in (0, None)
    assert f"worker {victim}" in log
    assert "died" in log


@pytest.mark.postgres("a server whose backends can be terminated, as a restart does")
def test_an_idempotent_read_survives_a_database_restart(
    settings: Settings, db: Session, auth_headers: Callable[..., dict[str, str]]
) -> None:
    headers = auth_headers(role="viewer")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/products", headers=headers).status_code == 200
        terminated = db.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
        db.commit()
        assert terminated, "no connection of the app was found"
        response = client.get("/api/products", headers=headers)
        assert response.status_code == 200, response.text
