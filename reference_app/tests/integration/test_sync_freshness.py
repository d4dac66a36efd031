"""Freshness measured per item (issue 22): the age of the oldest change not yet pushed and the
last successful push, so a product the marketplace refused for good is its own alert (and its
own number), not a stale backlog that pages, and a quiet period is not an outage."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine, session_factory
from pricing_service.main import create_app
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from pricing_service.sync.models import SyncJob
from pricing_service.sync.worker import open_worker
from tests.sync_support import (
    FakeServer,
    add_products,
    drain_sync,
    enqueue,
    worker_settings,
)


def _status(settings: Settings, headers: dict[str, str]) -> dict[str, object]:
    with TestClient(create_app(settings)) as api:
        body: dict[str, object] = api.get("/api/sync/status", headers=headers).json()
        return body


def _gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


def _puts(fake: FakeServer, product: Product) -> int:
    item = str(product.marketplace_item_id)
    return sum(1 for r in fake.requests() if r["method"] == "PUT" and r["item_id"] == item)


async def _schedule_once(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with open_worker(settings, session_factory(engine)) as worker:
            await worker.enqueue_if_pending()
    finally:
        await engine.dispose()


def test_a_product_refused_for_good_is_counted_apart_not_as_a_stale_backlog(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    settings = worker_settings(make_settings, fake_server)
    pushed, refused = add_products(db, 2)
    fake_server.delete_item(str(refused.marketplace_item_id))  # item_not_found: permanent
    job_id = enqueue(settings)
    drain_sync(settings)
    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    assert job.status == "partial"

    # The refused product has waited long enough to breach the 15-minute objective.
    db.execute(
        update(Product)
        .where(Product.id == refused.id)
        .values(pending_sync_since=datetime.now(UTC) - timedelta(hours=2))
    )
    db.commit()
    status = _status(settings, auth_headers("viewer"))
    assert status["backlog"] == 0
    assert status["oldest_pending_age_seconds"] == 0.0
    assert status["rejected"] == 1
    assert status["last_success_at"] is None  # the job was partial ...
    last_push = datetime.fromisoformat(str(status["last_push_at"]))  # ... an item was pushed
    assert datetime.now(UTC) - last_push < timedelta(minutes=1)
    assert _gauge("pricing_sync_oldest_pending_age_seconds") == 0.0
    assert _gauge("pricing_sync_backlog") == 0
    assert _gauge("pricing_sync_rejected_products") == 1
    last_push_gauge = _gauge("pricing_sync_last_push_timestamp_seconds")
    assert last_push_gauge is not None
    assert abs(last_push_gauge - last_push.timestamp()) < 1

    # The schedule starts no job for it, and a job pushes the refused version no more ...
    jobs_before = db.scalar(select(func.count()).select_from(SyncJob))
    asyncio.run(_schedule_once(settings))
    assert db.scalar(select(func.count()).select_from(SyncJob)) == jobs_before
    puts_before = _puts(fake_server, refused)
    enqueue(settings)
    drain_sync(settings)
    assert _puts(fake_server, refused) == puts_before
    # ... and a new price for it puts it back in the backlog, fresh.
    headers = {**auth_headers("pricing_manager"), "If-Match": '"1"'}
    with TestClient(create_app(settings)) as api:
        changed = api.put(
            f"/api/products/{refused.id}/price",
            headers=headers,
            json={"price": "105.00", "reason": "relisted"},
        )
    assert changed.status_code == 200, changed.text
    status = _status(settings, auth_headers("viewer"))
    assert (status["backlog"], status["rejected"]) == (1, 0)
    assert pushed.id != refused.id


def test_a_quiet_period_keeps_the_last_push_and_an_empty_backlog(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    settings = worker_settings(make_settings, fake_server)
    add_products(db, 1)
    enqueue(settings)
    drain_sync(settings)
    status = _status(settings, auth_headers("viewer"))
    assert status["backlog"] == 0
    assert status["oldest_pending_age_seconds"] == 0.0
    assert status["last_push_at"] is not None
    assert status["rejected"] == 0
