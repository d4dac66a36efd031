"""Several workers on PostgreSQL: one claim per job (FOR UPDATE SKIP LOCKED + lease), and two
workers running side by side never push the same item twice. SQLite has one writer and runs
one worker, so these are skipped there."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine, session_factory
from pricing_service.settings import Settings
from pricing_service.sync.models import SyncJob
from pricing_service.sync.worker import open_worker
from tests.sync_support import (
    FakeServer,
    add_products,
    enqueue,
    worker_settings,
)

pytestmark = pytest.mark.postgres("row locks and SKIP LOCKED; SQLite runs a single worker")


def test_concurrent_claims_hand_a_job_to_exactly_one_worker(
    make_settings: Callable[..., Settings], fake_server: FakeServer
) -> None:
    settings = worker_settings(make_settings, fake_server)
    enqueue(settings)

    async def claim_all() -> list[object]:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        try:
            async with open_worker(settings, sessions, worker_id="w0") as first:
                workers = [first]
                for n in range(1, 8):
                    workers.append(type(first)(settings, sessions, first.client, worker_id=f"w{n}"))
                return list(await asyncio.gather(*(w.claim_job() for w in workers)))
        finally:
            await engine.dispose()

    claimed = [c for c in asyncio.run(claim_all()) if c is not None]
    assert len(claimed) == 1


def test_two_workers_side_by_side_never_push_an_item_twice(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    # The job outlasts the lease, so the owner must keep heartbeating while the other polls.
    settings = worker_settings(
        make_settings, fake_server, sync_lease_seconds=0.6, sync_concurrency=2, sync_batch_size=10
    )
    products = add_products(db, 60)
    fake_server.configure(latency_ms=30)
    job_id = enqueue(settings)

    async def two_workers() -> None:
        engines = [create_engine(settings.database_url) for _ in range(2)]
        try:
            async with (
                open_worker(settings, session_factory(engines[0]), worker_id="left") as left,
                open_worker(settings, session_factory(engines[1]), worker_id="right") as right,
            ):
                tasks = [asyncio.create_task(w.run()) for w in (left, right)]
                async with session_factory(engines[0])() as session:
                    for _ in range(300):
                        status = await session.scalar(
                            select(SyncJob.status).where(SyncJob.id == job_id)
                        )
                        await session.rollback()
                        if status not in ("queued", "running"):
                            break
                        await asyncio.sleep(0.05)
                left.stop()
                right.stop()
                await asyncio.gather(*tasks)
        finally:
            for engine in engines:
                await engine.dispose()

    asyncio.run(two_workers())

    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    assert (job.status, job.claims, job.items_succeeded) == ("succeeded", 1, 60)
    assert fake_server.applied_puts() == {str(p.marketplace_item_id): 1 for p in products}
