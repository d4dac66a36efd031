"""Sync test support: the fake marketplace over real HTTP (a `python -m pricing_service_dev
fake-marketplace` subprocess on a free port) and a small client for its /_fake/ control endpoints.

The fixtures `fake_server` and `fake_server_process` live in tests/conftest.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from liveproc import LiveProcess, ProcessError, free_port
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine, session_factory
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from pricing_service.sync.models import JobTrigger
from pricing_service.sync.service import enqueue_job
from pricing_service.sync.worker import open_worker


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for a pricing-service subprocess: test env, JSON logs, no .env surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ML_", "SYNC_"))}
    env.update({"APP_ENV": "test", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"})
    env.update(extra)
    return env


class FakeServer:
    """A running fake marketplace and its control endpoints."""

    def __init__(self, url: str, process: LiveProcess) -> None:
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
    """`python -m pricing_service_dev fake-marketplace` on a free port, answering its health."""
    port = free_port()
    command = [sys.executable, "-m", "pricing_service_dev", "fake-marketplace", "--port", str(port)]
    process = LiveProcess.start([*command, *args], name="fake-marketplace", env=env or cli_env())
    url = f"http://127.0.0.1:{port}"
    try:
        process.wait_http(f"{url}/_fake/health", timeout=20)
    except ProcessError:
        process.stop()
        raise
    return FakeServer(url, process)


def stop_fake(server: FakeServer) -> None:
    server.http.close()
    server.process.stop(timeout=5)


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
