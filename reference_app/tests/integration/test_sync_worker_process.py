"""`pricing-service worker` as a process: killed mid-job (the job is reclaimed after its lease,
nothing pushed twice or lost) and SIGTERM (in-flight requests finish, the lease is released)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator

import pytest
from liveproc import LiveProcess
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from pricing_service.sync.models import SyncItem, SyncJob
from tests.sync_support import (
    FakeServer,
    add_products,
    cli_env,
    drain_sync,
    enqueue,
    worker_settings,
)

LEASE_SECONDS = 1.5


@pytest.fixture
def start_worker(database_url: str, fake_server: FakeServer) -> Iterator[Callable[[], LiveProcess]]:
    started: list[LiveProcess] = []

    def start() -> LiveProcess:
        env = cli_env(
            DATABASE_URL=database_url,
            ML_API_BASE_URL=fake_server.url,
            SYNC_LEASE_SECONDS=str(LEASE_SECONDS),
            SYNC_CONCURRENCY="2",
            SYNC_RATE_LIMIT_PER_SECOND="1000",
            SYNC_SCHEDULE_SECONDS="0",
            SYNC_POLL_SECONDS="0.1",
        )
        command = [sys.executable, "-m", "pricing_service.cli", "worker", "--worker-id", "doomed"]
        process = LiveProcess.start(command, name="worker", env=env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def wait_for_pushes(fake: FakeServer, count: int, process: LiveProcess) -> None:
    pushed = lambda: sum(fake.applied_puts().values()) >= count  # noqa: E731
    process.wait_until(f"pushing {count} items", pushed, 20)


def finish_with_another_worker(settings: Settings) -> None:
    deadline = time.monotonic() + 10
    while drain_sync(settings, worker_id="rescuer") == 0:  # claimable once the lease expired
        assert time.monotonic() < deadline, "the job was never reclaimed"
        time.sleep(0.2)


def test_a_killed_worker_s_job_is_reclaimed_after_its_lease_without_duplicates(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    start_worker: Callable[[], LiveProcess],
) -> None:
    products = add_products(db, 60)
    fake_server.configure(latency_ms=30)
    job_id = enqueue(make_settings())
    worker = start_worker()
    wait_for_pushes(fake_server, 10, worker)

    worker.kill()  # SIGKILL: no cleanup at all
    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    assert (job.status, job.lease_owner) == ("running", "doomed")

    settings = worker_settings(make_settings, fake_server, sync_lease_seconds=LEASE_SECONDS)
    finish_with_another_worker(settings)

    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    assert (job.status, job.claims, job.items_succeeded, job.items_failed) == (
        "succeeded",
        2,
        60,
        0,
    )
    # Items the dead worker had in flight were checked (GET), not pushed blindly again.
    assert fake_server.applied_puts() == {str(p.marketplace_item_id): 1 for p in products}
    assert db.scalars(select(Product).where(Product.pending_sync_since.is_not(None))).all() == []
    statuses = set(db.scalars(select(SyncItem.status).where(SyncItem.job_id == job_id)))
    assert statuses == {"succeeded"}


def test_sigterm_finishes_in_flight_items_and_releases_the_lease(
    make_settings: Callable[..., Settings],
    fake_server: FakeServer,
    db: Session,
    start_worker: Callable[[], LiveProcess],
) -> None:
    products = add_products(db, 60)
    fake_server.configure(latency_ms=30)
    job_id = enqueue(make_settings())
    worker = start_worker()
    wait_for_pushes(fake_server, 10, worker)

    assert worker.terminate(timeout=15) == 0  # SIGTERM

    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    assert (job.status, job.lease_owner, job.lease_expires_at) == ("queued", None, None)
    pushed_before_stop = sum(fake_server.applied_puts().values())
    assert job.items_succeeded == pushed_before_stop  # every finished request was recorded
    assert pushed_before_stop < 60

    # Released, not expired: another worker resumes at once, without waiting for a lease.
    settings = worker_settings(make_settings, fake_server)
    assert drain_sync(settings, worker_id="next") == 1
    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    assert (job.status, job.items_succeeded) == ("succeeded", 60)
    assert fake_server.applied_puts() == {str(p.marketplace_item_id): 1 for p in products}
