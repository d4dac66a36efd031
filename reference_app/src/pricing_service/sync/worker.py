"""The sync worker: claims jobs with a lease, pushes pending prices, records every outcome.

- Claim: one ``UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`` takes a
  queued job, or a running one whose lease expired (its worker died). On SQLite the single
  statement is atomic on its own (one writer at a time).
- Run: items are claimed in batches into ``sync_items`` (status in_flight, the product version
  and price snapshotted) by one INSERT ... SELECT. Up to SYNC_CONCURRENCY requests are in flight,
  spaced by the client-side rate limiter; an item waiting for a retry holds no request slot.
  Every checkpoint (a fraction of a second) writes the finished outcomes, clears the pending
  mark of pushed products *only if they are still at the pushed version*, extends the lease and
  claims more items, in one transaction. A product changed during the job gets a new version,
  is claimed again by the same job (never while its previous push is still in flight) and so is
  never lost.
- Reclaim: items a dead worker left in_flight are uncertain: the new holder reads the item
  (GET) and pushes only if the marketplace does not already show that price, so a change is not
  pushed twice. The same check follows a timed-out write.
- Retries: transient errors back off exponentially with jitter (honouring Retry-After) up to
  SYNC_MAX_ATTEMPTS; then the item is failed and the product stays pending for the next job.
  Permanent errors are recorded with the marketplace's message. invalid_grant fails the job once
  (the sync is degraded) without retrying.
- Stop (SIGTERM): no new items; requests in flight finish and are recorded; the job goes back
  to queued with its lease released, so another worker resumes it at once.

Every log line of a job carries its ``job_id`` and the ``request_id`` of the API call that
created it (structlog contextvars, inherited by the tasks the job starts).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import ssl
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import structlog
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pricing_service.core.logging import get_logger
from pricing_service.core.time import utcnow
from pricing_service.encryption import TokenCipher
from pricing_service.observability.metrics import record_sync_item
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from pricing_service.sync.client import (
    MarketplaceAuthError,
    MercadoLibreClient,
    PermanentItemError,
    TransientError,
)
from pricing_service.sync.credentials import DatabaseTokenStore
from pricing_service.sync.jobs import (
    ClaimedItem,
    ClaimedJob,
    JobLedger,
    LeaseLostError,
    Outcome,
)
from pricing_service.sync.models import ItemStatus, JobStatus, JobTrigger
from pricing_service.sync.problems import SyncDegradedError
from pricing_service.sync.ratelimit import RateLimiter
from pricing_service.sync.service import (
    active_job,
    enqueue_job,
    pending_criteria,
    publish_metrics,
)

logger = get_logger(__name__)

CHECKPOINT_SECONDS = 0.25
CHECKPOINT_OUTCOMES = 50
# How often a running worker re-reads the sync gauges (backlog, freshness, refused items) for
# its own /metrics; a scrape interval, so a standalone worker's gauges are never staler.
GAUGES_SECONDS = 15.0


@dataclass
class _Run:
    """The in-memory state of one job run."""

    job: ClaimedJob
    semaphore: asyncio.Semaphore
    outcomes: list[Outcome] = field(default_factory=list)
    retries: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    progress: asyncio.Event = field(default_factory=asyncio.Event)
    auth_error: str | None = None
    unsent: list[ClaimedItem] = field(default_factory=list)  # claimed, never sent (stop)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        client: MercadoLibreClient,
        *,
        worker_id: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.client = client
        self.id = (worker_id or default_worker_id())[:64]
        self.ledger = JobLedger(sessions, self.id, timedelta(seconds=settings.sync_lease_seconds))
        self._random = rng or random.Random()  # noqa: S311 (jitter, not cryptography)
        self._stopping = asyncio.Event()

    # Lifecycle -------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish the requests in flight, record them, release the lease, then return."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        """Serve jobs until stop(): poll, enqueue scheduled jobs, claim and run."""
        logger.info("sync_worker_started", worker_id=self.id)
        next_schedule = next_gauges = 0.0
        while not self.stopping:
            try:
                if time.monotonic() >= next_gauges:
                    next_gauges = time.monotonic() + GAUGES_SECONDS
                    async with self.sessions() as session:
                        await publish_metrics(session)
                if self.settings.sync_schedule_seconds and time.monotonic() >= next_schedule:
                    next_schedule = time.monotonic() + self.settings.sync_schedule_seconds
                    await self.enqueue_if_pending()
                if not await self.run_next():
                    await self._sleep(self.settings.sync_poll_seconds)
            except Exception:  # the worker-loop boundary: log with context, keep serving
                logger.exception("sync_worker_error", worker_id=self.id)
                await self._sleep(self.settings.sync_poll_seconds)
        logger.info("sync_worker_stopped", worker_id=self.id)

    async def drain(self) -> int:
        """Run claimable jobs until none is left (or stop()); returns how many ran."""
        count = 0
        while not self.stopping and await self.run_next():
            count += 1
        return count

    async def run_next(self) -> bool:
        job = await self.claim_job()
        if job is None:
            return False
        await self.run_job(job)
        return True

    async def enqueue_if_pending(self) -> None:
        """The schedule: a job when products are pending and none is queued or running."""
        async with self.sessions() as session:
            backlog = await session.scalar(
                select(func.count(Product.id)).where(*pending_criteria())
            )
            if not backlog or await active_job(session) is not None:
                return
            try:
                job, created = await enqueue_job(session, trigger=JobTrigger.SCHEDULE)
            except SyncDegradedError:
                return  # no point in a job that would fail at once; /api/sync/status says why
        if created:
            logger.info("sync_job_scheduled", job_id=job.id, backlog=backlog)

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped first; True when stop() interrupted the sleep."""
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    # Claiming --------------------------------------------------------------------------

    async def claim_job(self) -> ClaimedJob | None:
        return await self.ledger.claim_job()

    # Running a job ---------------------------------------------------------------------

    async def run_job(self, job: ClaimedJob) -> None:
        with structlog.contextvars.bound_contextvars(job_id=job.id, request_id=job.request_id):
            logger.info("sync_job_started", worker_id=self.id, claims=job.claims)
            run = _Run(job, asyncio.Semaphore(self.settings.sync_concurrency))
            try:
                await self._drive(run)
            except LeaseLostError:
                logger.warning("sync_job_lease_lost", worker_id=self.id)
                await self._cancel(run)
                return
            except BaseException:
                await self._cancel(run)
                raise
            try:
                if self.stopping:
                    await self.ledger.release(run.job.id, [i.row_id for i in run.unsent])
                    logger.info("sync_job_released", worker_id=self.id)
                else:
                    await self._finish(run)
            except LeaseLostError:
                logger.warning("sync_job_lease_lost", worker_id=self.id)

    async def _drive(self, run: _Run) -> None:
        window = self.settings.sync_batch_size
        uncertain = await self.ledger.uncertain_items(run.job.id)
        if uncertain:
            logger.info("sync_job_reclaimed_items", count=len(uncertain))
        for item in uncertain:
            self._start(run, item, verify=True)
        last_checkpoint = 0.0
        lease_refresh = self.settings.sync_lease_seconds / 3
        while True:
            alive = len(run.tasks)
            room = 0 if self.stopping or run.auth_error else window - alive
            refill = room > 0 and (alive == 0 or room >= max(1, window // 2))
            elapsed = time.monotonic() - last_checkpoint
            due = (
                alive == 0
                or refill
                or len(run.outcomes) >= CHECKPOINT_OUTCOMES
                or (bool(run.outcomes) and elapsed >= CHECKPOINT_SECONDS)
                or elapsed >= lease_refresh
            )
            if due:
                claimed = await self._checkpoint(run, room if refill else 0)
                last_checkpoint = time.monotonic()
                for item in claimed:
                    self._start(run, item, verify=False)
                if not claimed and not run.tasks and not run.outcomes:
                    return  # outcomes landing during the checkpoint get one more round
            run.progress.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(run.progress.wait(), timeout=CHECKPOINT_SECONDS)

    def _start(self, run: _Run, item: ClaimedItem, *, verify: bool) -> None:
        task = asyncio.create_task(self._item_task(run, item, verify))
        run.tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            run.tasks.discard(finished)
            run.progress.set()

        task.add_done_callback(done)

    async def _cancel(self, run: _Run) -> None:
        for task in run.tasks:
            task.cancel()
        await asyncio.gather(*run.tasks, return_exceptions=True)

    async def _item_task(self, run: _Run, item: ClaimedItem, verify: bool) -> None:
        outcome = await self._push(run, item, verify)
        if outcome is not None:  # None: interrupted by stop(); the row stays in_flight
            run.outcomes.append(outcome)
            record_sync_item("pushed" if outcome.status is ItemStatus.SUCCEEDED else "failed")

    async def _push(self, run: _Run, item: ClaimedItem, verify: bool) -> Outcome | None:
        attempts = 0
        uncertain = verify
        while True:
            try:
                if uncertain and await self._already_pushed(run, item):
                    return Outcome(item, ItemStatus.SUCCEEDED, attempts, synced_at=utcnow())
                async with run.semaphore:
                    if self.stopping:  # not sent: a first attempt is simply un-claimed
                        if attempts == 0 and not uncertain:
                            run.unsent.append(item)
                        return None
                    attempts += 1
                    await self.client.update_price(item.item_id, item.price)
                logger.debug("sync_item_pushed", product_id=item.product_id, item_id=item.item_id)
                return Outcome(item, ItemStatus.SUCCEEDED, attempts, synced_at=utcnow())
            except PermanentItemError as error:
                logger.warning(
                    "sync_item_rejected",
                    product_id=item.product_id,
                    item_id=item.item_id,
                    error=error.kind,
                    marketplace_message=error.message,
                )
                return Outcome(item, ItemStatus.REJECTED, attempts, error.kind, error.message)
            except MarketplaceAuthError as error:
                run.auth_error = str(error)
                return Outcome(item, ItemStatus.FAILED, attempts, "marketplace_auth", str(error))
            except TransientError as error:
                if attempts >= self.settings.sync_max_attempts:
                    logger.warning(
                        "sync_item_failed",
                        product_id=item.product_id,
                        item_id=item.item_id,
                        attempts=attempts,
                        error=error.reason,
                    )
                    return Outcome(item, ItemStatus.FAILED, attempts, "transient", error.reason)
                if self.stopping:
                    return None
                run.retries += 1
                record_sync_item("retried")
                uncertain = error.uncertain
                if await self._sleep(self._backoff(attempts, error.retry_after)):
                    return None

    async def _already_pushed(self, run: _Run, item: ClaimedItem) -> bool:
        """For an uncertain earlier write: does the marketplace already show our price?"""
        try:
            async with run.semaphore:
                current = await self.client.get_item(item.item_id)
        except (TransientError, PermanentItemError):
            return False  # cannot tell: push (the same price twice is harmless)
        return current.price == item.price

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential with equal jitter, capped, never shorter than the Retry-After."""
        base = self.settings.sync_backoff_base_seconds
        cap = min(self.settings.sync_backoff_max_seconds, base * 2.0 ** (attempt - 1))
        delay = cap / 2 + self._random.uniform(0, cap / 2)
        return delay if retry_after is None else max(delay, retry_after)

    async def _checkpoint(self, run: _Run, claim: int) -> list[ClaimedItem]:
        outcomes, run.outcomes = run.outcomes, []
        retries, run.retries = run.retries, 0
        try:
            return await self.ledger.checkpoint(run.job, outcomes, retries, claim)
        except SQLAlchemyError:
            run.outcomes[:0] = outcomes  # keep them for the next checkpoint
            run.retries += retries
            raise

    async def _finish(self, run: _Run) -> None:
        summary = await self.ledger.finish(run.job.id, run.auth_error)
        log = logger.info if summary["status"] == JobStatus.SUCCEEDED.value else logger.warning
        log("sync_job_finished", **summary)
        async with self.sessions() as session:
            await publish_metrics(session)


# Wiring ----------------------------------------------------------------------------------


def build_client(
    settings: Settings,
    store: DatabaseTokenStore,
    transport: httpx.AsyncBaseTransport | None = None,
) -> MercadoLibreClient:
    client_id, client_secret = settings.ml_client_credentials
    return MercadoLibreClient(
        base_url=settings.ml_base_url,
        client_id=client_id,
        client_secret=client_secret,
        token_store=store,
        rate_limiter=RateLimiter(settings.sync_rate_limit_per_second),
        timeout=httpx.Timeout(
            settings.ml_timeout_seconds, connect=settings.ml_connect_timeout_seconds
        ),
        max_connections=settings.sync_concurrency,
        transport=transport,
        # ML_CA_BUNDLE: a private CA (an egress proxy; the staging smoke's self-signed fake).
        verify=ssl.create_default_context(cafile=settings.ml_ca_bundle)
        if settings.ml_ca_bundle
        else True,
    )


@asynccontextmanager
async def open_worker(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    *,
    worker_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Worker]:
    """A worker with its marketplace client; the credentials row is seeded on the way in."""
    store = DatabaseTokenStore(sessions, TokenCipher.for_settings(settings))
    await store.seed(settings)
    async with build_client(settings, store, transport) as client:
        yield Worker(settings, sessions, client, worker_id=worker_id)
