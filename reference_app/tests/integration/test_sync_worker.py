"""The sync worker over real HTTP against the fake marketplace (a uvicorn subprocess).

Each test queues a job, runs a worker in this process until no job is claimable (or a worker
subprocess for kill/SIGTERM), then asserts what the marketplace received (``/_fake/requests``),
the job and item rows, and the outbox marks. Concurrency scenarios on PostgreSQL are in
test_sync_workers_postgres.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine, session_factory
from pricing_service.core.logging import configure_logging
from pricing_service.core.time import utcnow
from pricing_service.main import create_app
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from pricing_service.sync.models import SyncItem, SyncJob
from pricing_service.sync.worker import open_worker
from tests.sync_support import (
    FakeServer,
    add_products,
    drain,
    drain_sync,
    enqueue,
    worker_settings,
)


def job_row(db: Session, job_id: int) -> SyncJob:
    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    return job


def items_of(db: Session, job_id: int) -> dict[str, SyncItem]:
    db.expire_all()
    rows = db.scalars(select(SyncItem).where(SyncItem.job_id == job_id).order_by(SyncItem.id))
    return {row.marketplace_item_id: row for row in rows}


def pending_item_ids(db: Session) -> set[str]:
    db.expire_all()
    rows = db.scalars(select(Product).where(Product.pending_sync_since.is_not(None)))
    return {str(p.marketplace_item_id) for p in rows}


def assert_pushed_exactly_once(fake: FakeServer, products: list[Product]) -> None:
    assert fake.applied_puts() == {str(p.marketplace_item_id): 1 for p in products}
    items = fake.items()
    for product in products:
        assert Decimal(items[str(product.marketplace_item_id)]["price"]) == product.price


def test_happy_path_pushes_every_pending_product_once(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server, sync_batch_size=7)
    products = add_products(db, 20)
    add_products(db, 3, pending=False, start=100)  # already in sync: not pushed
    job_id = enqueue(settings)

    assert drain_sync(settings) == 1

    job = job_row(db, job_id)
    assert (job.status, job.items_total, job.items_succeeded, job.items_failed) == (
        "succeeded",
        20,
        20,
        0,
    )
    assert job.finished_at is not None
    assert job.lease_owner is None
    assert_pushed_exactly_once(fake_server, products)
    assert pending_item_ids(db) == set()
    outcomes = items_of(db, job_id).values()
    assert {(o.status, o.attempts) for o in outcomes} == {("succeeded", 1)}
    assert all(o.synced_at is not None for o in outcomes)


def test_a_job_for_given_products_pushes_only_those(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server)
    products = add_products(db, 5, pending=False)
    job_id = enqueue(settings, product_ids=[products[0].id, products[3].id])
    drain_sync(settings)
    assert fake_server.applied_puts() == {"MLA1": 1, "MLA4": 1}
    assert job_row(db, job_id).status == "succeeded"


def test_429_storm_honours_retry_after_and_loses_nothing(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server)
    products = add_products(db, 12)
    fake_server.fault(16, status=429, retry_after=1)
    job_id = enqueue(settings)

    drain_sync(settings)

    job = job_row(db, job_id)
    assert job.status == "succeeded"
    assert job.retries >= 16
    assert_pushed_exactly_once(fake_server, products)
    answered = [r["status"] for r in fake_server.requests() if r["method"] == "PUT"]
    assert answered.count(429) == 16
    # Retry-After: 1 paused every request: the first retry came at least a second later.
    puts = [r for r in fake_server.requests() if r["method"] == "PUT"]
    first_retry = next(r for r in puts if r["status"] == 200)
    assert first_retry["at"] - puts[0]["at"] >= 0.9


def test_5xx_and_timeouts_are_retried_and_a_timed_out_write_is_not_pushed_twice(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    # Backoff longer than the stall: the retry finds the stalled write applied (GET), no PUT.
    settings = worker_settings(
        make_settings,
        fake_server,
        sync_concurrency=1,
        ml_timeout_seconds=0.2,
        sync_backoff_base_seconds=0.6,
        sync_backoff_max_seconds=1.0,
    )
    products = add_products(db, 6)
    fake_server.fault(3, status=503)
    fake_server.fault(1, status=500)
    fake_server.fault(1, stall_seconds=0.35)
    job_id = enqueue(settings)

    drain_sync(settings)

    job = job_row(db, job_id)
    assert job.status == "succeeded"
    assert job.retries == 5
    assert_pushed_exactly_once(fake_server, products)
    gets = [r for r in fake_server.requests() if r["method"] == "GET"]
    assert [g["status"] for g in gets] == [200]  # the one verification after the timeout


def test_transient_errors_past_the_attempt_limit_fail_the_item_and_keep_it_pending(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server, sync_batch_size=1, sync_max_attempts=3)
    add_products(db, 2)
    fake_server.fault(3, status=502)  # every attempt of the first item (one item at a time)
    job_id = enqueue(settings)

    drain_sync(settings)

    job = job_row(db, job_id)
    assert (job.status, job.items_succeeded, job.items_failed) == ("partial", 1, 1)
    failed = [i for i in items_of(db, job_id).values() if i.status == "failed"]
    assert len(failed) == 1
    assert (failed[0].attempts, failed[0].error_code) == (3, "transient")
    assert "502" in str(failed[0].error)
    assert pending_item_ids(db) == {failed[0].marketplace_item_id}
    assert "502" in str(job.last_error)

    # The next job pushes it.
    next_job = enqueue(settings)
    drain_sync(settings)
    assert job_row(db, next_job).status == "succeeded"
    assert pending_item_ids(db) == set()


def test_expired_access_token_is_refreshed_once_mid_job(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server)
    add_products(db, 3)
    enqueue(settings)
    drain_sync(settings)
    more = add_products(db, 10, start=50)
    fake_server.expire_tokens()
    job_id = enqueue(settings)

    drain_sync(settings)

    assert job_row(db, job_id).status == "succeeded"
    assert [r["status"] for r in fake_server.requests("/oauth/token")] == [200, 200]
    assert all(fake_server.applied_puts()[str(p.marketplace_item_id)] == 1 for p in more)


def test_invalid_grant_fails_the_job_once_and_degrades_the_sync(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    settings = worker_settings(make_settings, fake_server)
    add_products(db, 5)
    fake_server.revoke_grants()
    job_id = enqueue(settings)

    drain_sync(settings)

    job = job_row(db, job_id)
    assert job.status == "failed"
    assert "invalid_grant" in str(job.last_error)
    assert {(i.status, i.error_code) for i in items_of(db, job_id).values()} == {
        ("failed", "marketplace_auth")
    }
    assert [r["status"] for r in fake_server.requests("/oauth/token")] == [400]  # no loop
    assert not [r for r in fake_server.requests() if r["method"] == "PUT"]
    assert len(pending_item_ids(db)) == 5

    status = client.get("/api/sync/status", headers=auth_headers("viewer")).json()
    assert status["degraded"] is True
    assert "invalid_grant" in status["degraded_reason"]
    refused = client.post("/api/sync/ml", headers=auth_headers("pricing_manager"))
    assert refused.status_code == 503
    assert refused.json()["code"] == "sync_degraded"
    assert refused.headers["retry-after"]


def test_permanent_errors_are_recorded_per_item_with_the_marketplace_message(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server)
    add_products(db, 8)  # prices 101.00 .. 108.00
    fake_server.delete_item("MLA2")
    fake_server.seed_item("MLA3", price="1.00", status="closed")
    fake_server.configure(min_price="104.50")
    job_id = enqueue(settings)

    drain_sync(settings)

    job = job_row(db, job_id)
    assert (job.status, job.items_succeeded, job.items_failed) == ("partial", 4, 4)
    items = items_of(db, job_id)
    rejected = {k: (v.error_code, v.attempts) for k, v in items.items() if v.status == "rejected"}
    assert rejected == {
        "MLA1": ("price_rejected", 1),
        "MLA2": ("item_not_found", 1),
        "MLA3": ("item_inactive", 1),
        "MLA4": ("price_rejected", 1),
    }
    assert "Item with id MLA2 not found" in str(items["MLA2"].error)
    assert "[status:closed]" in str(items["MLA3"].error)
    assert "below the minimum 104.50" in str(items["MLA1"].error)
    assert pending_item_ids(db) == {"MLA1", "MLA2", "MLA3", "MLA4"}


def test_a_price_changed_during_a_running_job_is_pushed_again_never_lost(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server, sync_concurrency=2, sync_batch_size=4)
    products = add_products(db, 16)
    target, first_price = products[0], str(products[0].price)
    fake_server.configure(latency_ms=40)
    enqueue(settings)

    async def scenario() -> None:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        try:
            running = asyncio.create_task(drain(settings))
            # As soon as the first version reached the marketplace, change the price again.
            while not any(r["item_id"] == "MLA1" for r in fake_server.requests()):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            async with sessions() as session, session.begin():
                await session.execute(
                    update(Product)
                    .where(Product.id == target.id)
                    .values(  # what a price change does (the pricing contract)
                        price=Decimal("555.55"),
                        version=Product.version + 1,
                        pending_sync_since=func.coalesce(Product.pending_sync_since, utcnow()),
                    )
                )
            await running
        finally:
            await engine.dispose()

    asyncio.run(scenario())
    if "MLA1" in pending_item_ids(db):  # changed after the job's last claim: the next job
        enqueue(settings)
        drain_sync(settings)

    puts = [r["price"] for r in fake_server.requests() if r["item_id"] == "MLA1" and r["applied"]]
    assert puts == [first_price, "555.55"]  # the new price last, never the stale one
    assert fake_server.items()["MLA1"]["price"] == "555.55"
    assert pending_item_ids(db) == set()
    versions = db.scalars(
        select(SyncItem.product_version).where(
            SyncItem.product_id == target.id, SyncItem.status == "succeeded"
        )
    ).all()
    assert sorted(versions) == [1, 2]


def test_every_log_line_of_a_job_carries_its_job_id_and_request_id(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = worker_settings(make_settings, fake_server)
    add_products(db, 4)
    fake_server.fault(1, status=503)
    response = client.post(
        "/api/sync/ml",
        headers={**auth_headers("pricing_manager"), "X-Request-ID": "req-sync-logs-0001"},
    )
    assert response.status_code == 202
    job_id = response.json()["id"]
    configure_logging("DEBUG", "json")  # per-item lines are DEBUG
    capsys.readouterr()

    try:
        drain_sync(settings)
    finally:
        configure_logging("INFO", "json")

    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    start = next(i for i, x in enumerate(lines) if x["event"] == "sync_job_started")
    end = next(i for i, x in enumerate(lines) if x["event"] == "sync_job_finished")
    # Our loggers and httpx's (which runs in the job's tasks); not driver threads (aiosqlite).
    job_lines = [
        x for x in lines[start : end + 1] if x["logger"].startswith(("pricing_service", "httpx"))
    ]
    events = {x["event"] for x in job_lines}
    assert {"sync_job_started", "marketplace_token_refreshed", "sync_item_pushed"} <= events
    for line in job_lines:
        assert line.get("job_id") == job_id, line
        assert line.get("request_id") == "req-sync-logs-0001", line
    for line in job_lines:  # and no token from our code or httpx
        assert "APP_USR-" not in json.dumps(line)
        assert "TG-" not in json.dumps(line)


def test_sync_metrics_follow_the_worker(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    from prometheus_client import REGISTRY

    settings = worker_settings(make_settings, fake_server)
    add_products(db, 3)
    pushed_before = REGISTRY.get_sample_value("pricing_sync_items_total", {"outcome": "pushed"})
    enqueue(settings)
    drain_sync(settings)
    pushed_after = REGISTRY.get_sample_value("pricing_sync_items_total", {"outcome": "pushed"})
    assert (pushed_after or 0) - (pushed_before or 0) == 3
    assert REGISTRY.get_sample_value("pricing_sync_backlog") == 0
    last_success = REGISTRY.get_sample_value("pricing_sync_last_success_timestamp_seconds")
    assert last_success is not None
    assert last_success >= utcnow().timestamp() - 60


def test_the_schedule_enqueues_a_job_only_when_products_are_pending(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    settings = worker_settings(make_settings, fake_server)

    async def schedule_once() -> None:
        engine = create_engine(settings.database_url)
        try:
            async with open_worker(settings, session_factory(engine)) as worker:
                await worker.enqueue_if_pending()
                await worker.drain()
        finally:
            await engine.dispose()

    asyncio.run(schedule_once())
    assert db.scalars(select(SyncJob)).all() == []
    add_products(db, 2)
    asyncio.run(schedule_once())
    jobs = db.scalars(select(SyncJob)).all()
    assert [(j.trigger, j.status, j.requested_by) for j in jobs] == [
        ("schedule", "succeeded", None)
    ]


def test_the_in_process_worker_of_the_api_runs_jobs(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    settings = worker_settings(make_settings, fake_server, sync_worker_in_process=True)
    products = add_products(db, 5)
    headers = auth_headers("pricing_manager")
    with TestClient(create_app(settings)) as api:
        job = api.post("/api/sync/ml", headers=headers).json()
        for _ in range(100):
            job = api.get(f"/api/sync/jobs/{job['id']}", headers=headers).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        status = api.get("/api/sync/status", headers=headers).json()
    assert job["status"] == "succeeded"
    assert status["backlog"] == 0
    assert status["last_success_at"] is not None
    assert_pushed_exactly_once(fake_server, products)
