"""Sync test support: the fake marketplace over real HTTP (a `python -m pricing_service_dev
fake-marketplace` subprocess on a free port) and a small client for its /_fake/ control endpoints.

Import the fixtures into a test module: ``from tests.sync_support import fake_server``.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine, session_factory
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from pricing_service.sync.models import JobTrigger
from pricing_service.sync.service import enqueue_job
from pricing_service.sync.worker import open_worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a pricing-service subprocess: test env, JSON logs, no .env surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ML_", "SYNC_"))}
    env.update({"APP_ENV": "test", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"})
    env.update(extra)
    return env


class FakeServer:
    """A running fake marketplace and its control endpoints."""

    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.process = process
        self.http = httpx.Client(base_url=url, timeout=5)

    def reset(self) -> None:
        self.http.post("/_fake/reset").raise_for_status()

    def configure(self, **changes: Any) -> None:
        self.http.put("/_fake/config", json=changes).raise_for_status()

    def fault(
        self,
        count: int,
        *,
        status: int = 503,
        retry_after: int | None = None,
        stall_seconds: float = 0,
    ) -> None:
        body = {"count": count, "status": status, "stall_seconds": stall_seconds}
        if retry_after is not None:
            body["retry_after"] = retry_after
        self.http.post("/_fake/faults", json=body).raise_for_status()

    def seed_item(self, item_id: str, *, price: str | None = None, status: str = "active") -> None:
        self.http.put(f"/_fake/items/{item_id}", json={"price": price, "status": status})

    def delete_item(self, item_id: str) -> None:
        self.http.delete(f"/_fake/items/{item_id}").raise_for_status()

    def expire_tokens(self) -> None:
        self.http.post("/_fake/expire-tokens").raise_for_status()

    def revoke_grants(self) -> None:
        self.http.post("/_fake/revoke-grants").raise_for_status()

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        params = {"path": path} if path else {}
        rows: list[dict[str, Any]] = self.http.get("/_fake/requests", params=params).json()
        return rows

    def items(self) -> dict[str, dict[str, Any]]:
        items: dict[str, dict[str, Any]] = self.http.get("/_fake/items").json()
        return items

    def applied_puts(self) -> dict[str, int]:
        """Item id -> number of PUTs the fake applied (more than 1 is a duplicated push)."""
        counts: dict[str, int] = {}
        for row in self.requests():
            if row["method"] == "PUT" and row["applied"]:
                counts[row["item_id"]] = counts.get(row["item_id"], 0) + 1
        return counts


def start_fake(*args: str, env: dict[str, str] | None = None) -> FakeServer:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pricing_service_dev",
            "fake-marketplace",
            "--port",
            str(port),
            *args,
        ],
        env=env or cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"fake marketplace exited: {stderr.strip()}")
        try:
            if httpx.get(f"{url}/_fake/health", timeout=0.5).status_code == 200:
                return FakeServer(url, process)
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("fake marketplace did not answer within 20 s")


def stop_fake(server: FakeServer) -> None:
    server.http.close()
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


_shared: list[FakeServer] = []


@pytest.fixture(scope="session")
def fake_server_process() -> FakeServer:
    """One fake per test run, shared by every module that imports these fixtures (an imported
    session fixture is instantiated once per module, hence the module-level singleton)."""
    if not _shared:
        _shared.append(start_fake())
        atexit.register(stop_fake, _shared[0])
    return _shared[0]


@pytest.fixture
def fake_server(fake_server_process: FakeServer) -> FakeServer:
    """The fake marketplace over HTTP, reset to its launch state for this test."""
    fake_server_process.reset()
    return fake_server_process


# Database and worker helpers --------------------------------------------------------------


def add_products(
    db: Session,
    count: int,
    *,
    pending: bool = True,
    price: str = "100.00",
    prefix: str = "MLA",
    start: int = 1,
) -> list[Product]:
    """``count`` listed products (item ids MLA1, MLA2, ...), pending sync unless told otherwise."""
    now = datetime.now(UTC)
    products = [
        Product(
            sku=f"SKU-{prefix}-{n}",
            title=f"Product {n}",
            currency="ARS",
            cost=Decimal("10.00"),
            price=Decimal(price) + n,
            min_price=Decimal("1.00"),
            max_price=Decimal("100000.00"),
            marketplace_item_id=f"{prefix}{n}",
            version=1,
            created_at=now,
            updated_at=now,
            pending_sync_since=now - timedelta(seconds=30) if pending else None,
        )
        for n in range(start, start + count)
    ]
    db.add_all(products)
    db.commit()
    return products


def worker_settings(
    make_settings: Callable[..., Settings], fake: FakeServer, **overrides: Any
) -> Settings:
    """Test settings pointed at the fake: fast retries, short leases, no schedule."""
    values: dict[str, Any] = {
        "ml_api_base_url": fake.url,
        "sync_rate_limit_per_second": 1000.0,
        "sync_backoff_base_seconds": 0.02,
        "sync_backoff_max_seconds": 0.1,
        "sync_max_attempts": 4,
        "sync_lease_seconds": 2.0,
        "sync_poll_seconds": 0.1,
        "sync_schedule_seconds": 0,
        "ml_timeout_seconds": 2.0,
    }
    values.update(overrides)
    return make_settings(**values)


async def drain(settings: Settings, *, worker_id: str | None = None) -> int:
    """Run a worker in this process until no job is claimable; returns the jobs it ran."""
    engine = create_engine(settings.database_url)
    try:
        async with open_worker(settings, session_factory(engine), worker_id=worker_id) as worker:
            return await worker.drain()
    finally:
        await engine.dispose()


def drain_sync(settings: Settings, *, worker_id: str | None = None) -> int:
    return asyncio.run(drain(settings, worker_id=worker_id))


def enqueue(settings: Settings, **options: Any) -> int:
    """A queued job (trigger cli) created through the service, like the API does."""

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                job, _created = await enqueue_job(session, trigger=JobTrigger.CLI, **options)
                return job.id
        finally:
            await engine.dispose()

    return asyncio.run(run())


def refreshed(db: Session, obj: Any) -> Any:
    db.expire_all()
    return db.get(type(obj), obj.id)
