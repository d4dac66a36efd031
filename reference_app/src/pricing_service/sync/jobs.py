"""The sync worker's database steps: claim a job, checkpoint a run, finish or release it.

Every step is one transaction and checks the lease (``lease_owner``), so a worker that lost its
lease never writes over the one that reclaimed the job. See ADR 0007.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from pricing_service.core.time import UtcDateTime, utcnow
from pricing_service.pricing.models import Product
from pricing_service.sync.models import ItemStatus, JobStatus, SyncItem, SyncJob
from pricing_service.sync.service import refused_at_current_version

MAX_ERROR_LENGTH = 1000


class LeaseLostError(Exception):
    """Another worker owns the job now (our lease expired); stop touching it."""


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    request_id: str | None
    product_ids: list[int] | None
    claims: int


@dataclass(frozen=True)
class ClaimedItem:
    row_id: int
    product_id: int
    version: int
    item_id: str
    price: Decimal


@dataclass
class Outcome:
    item: ClaimedItem
    status: ItemStatus
    attempts: int
    error_code: str | None = None
    error: str | None = None
    synced_at: datetime | None = None


class JobLedger:
    """The rows of the jobs one worker (``worker_id``) runs."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], worker_id: str, lease: timedelta
    ) -> None:
        self.sessions = sessions
        self.id = worker_id
        self._lease = lease

    async def claim_job(self) -> ClaimedJob | None:
        now = utcnow()

        def claimable(job: Any) -> Any:
            return or_(
                job.status == JobStatus.QUEUED.value,
                and_(job.status == JobStatus.RUNNING.value, job.lease_expires_at < now),
            )

        other = aliased(SyncJob)  # an alias, so the subquery is not correlated to the UPDATE
        candidate = (
            select(other.id)
            .where(claimable(other))
            .order_by(other.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        statement = (
            update(SyncJob)
            .where(SyncJob.id == candidate, claimable(SyncJob))
            .values(
                status=JobStatus.RUNNING.value,
                lease_owner=self.id,
                lease_expires_at=now + self._lease,
                heartbeat_at=now,
                started_at=func.coalesce(SyncJob.started_at, now),
                claims=SyncJob.claims + 1,
            )
            .returning(SyncJob.id, SyncJob.request_id, SyncJob.product_ids, SyncJob.claims)
            .execution_options(synchronize_session=False)
        )
        async with self.sessions() as session:
            row = (await session.execute(statement)).first()
            await session.commit()
        if row is None:
            return None
        return ClaimedJob(id=row[0], request_id=row[1], product_ids=row[2], claims=row[3])

    async def uncertain_items(self, job_id: int) -> list[ClaimedItem]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(
                    SyncItem.id,
                    SyncItem.product_id,
                    SyncItem.product_version,
                    SyncItem.marketplace_item_id,
                    SyncItem.price,
                ).where(SyncItem.job_id == job_id, SyncItem.status == ItemStatus.IN_FLIGHT.value)
            )
            items = [ClaimedItem(*row) for row in rows]
        return items

    async def checkpoint(
        self, job: ClaimedJob, outcomes: list[Outcome], retries: int, claim: int
    ) -> list[ClaimedItem]:
        """One transaction: check and extend the lease, write outcomes, claim more items."""
        now = utcnow()
        async with self.sessions() as session, session.begin():
            await self._extend_lease(session, job.id, now, outcomes, retries)
            await self._write_outcomes(session, outcomes, now)
            claimed = await self._claim_items(session, job, claim, now) if claim else []
            if claimed:
                await session.execute(
                    update(SyncJob)
                    .where(SyncJob.id == job.id)
                    .values(items_total=SyncJob.items_total + len(claimed))
                    .execution_options(synchronize_session=False)
                )
        return claimed

    async def _extend_lease(
        self,
        session: AsyncSession,
        job_id: int,
        now: datetime,
        outcomes: list[Outcome],
        retries: int,
    ) -> None:
        succeeded = sum(1 for o in outcomes if o.status is ItemStatus.SUCCEEDED)
        failed = len(outcomes) - succeeded
        values: dict[str, Any] = {
            "lease_expires_at": now + self._lease,
            "heartbeat_at": now,
            "items_succeeded": SyncJob.items_succeeded + succeeded,
            "items_failed": SyncJob.items_failed + failed,
            "retries": SyncJob.retries + retries,
        }
        last_failure = next((o for o in reversed(outcomes) if o.error), None)
        if last_failure is not None:
            values["last_error"] = _job_error(last_failure)
        result = await session.execute(
            update(SyncJob)
            .where(
                SyncJob.id == job_id,
                SyncJob.lease_owner == self.id,
                SyncJob.status == JobStatus.RUNNING.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLostError

    async def _write_outcomes(
        self, session: AsyncSession, outcomes: list[Outcome], now: datetime
    ) -> None:
        if not outcomes:
            return
        await session.execute(
            update(SyncItem),
            [
                {
                    "id": o.item.row_id,
                    "status": o.status.value,
                    "attempts": o.attempts,
                    "error_code": o.error_code,
                    "error": (o.error or "")[:MAX_ERROR_LENGTH] or None,
                    "synced_at": o.synced_at,
                }
                for o in outcomes
            ],
        )
        pushed = [o for o in outcomes if o.status is ItemStatus.SUCCEEDED]
        if pushed:
            # Clear the mark only if nobody changed the product since we read it.
            products = cast(Table, Product.__table__)
            await session.execute(
                update(products)
                .where(
                    products.c.id == bindparam("p_id"),
                    products.c.version == bindparam("p_version"),
                )
                .values(pending_sync_since=None, last_synced_at=bindparam("p_synced_at")),
                [
                    {"p_id": o.item.product_id, "p_version": o.item.version, "p_synced_at": now}
                    for o in pushed
                ],
            )

    async def _claim_items(
        self, session: AsyncSession, job: ClaimedJob, limit: int, now: datetime
    ) -> list[ClaimedItem]:
        earlier = aliased(SyncItem)
        # Not at this version in this job yet, and no push of this product still in flight.
        handled = exists().where(
            earlier.job_id == job.id,
            earlier.product_id == Product.id,
            or_(
                earlier.product_version == Product.version,
                earlier.status == ItemStatus.IN_FLIGHT.value,
            ),
        )
        # Every pending product, except a version the marketplace refused for good (it waits
        # for a person); or exactly the products asked for, refused before or not.
        scope = (
            and_(Product.pending_sync_since.is_not(None), ~refused_at_current_version())
            if job.product_ids is None
            else Product.id.in_(job.product_ids)
        )
        candidates = (
            select(
                literal(job.id),
                Product.id,
                Product.version,
                Product.marketplace_item_id,
                Product.price,
                literal(ItemStatus.IN_FLIGHT.value),
                literal(0),
                literal(now, UtcDateTime),
            )
            .where(scope, Product.marketplace_item_id.is_not(None), ~handled)
            .order_by(Product.pending_sync_since, Product.id)
            .limit(limit)
        )
        statement = (
            insert(SyncItem)
            .from_select(
                [
                    "job_id",
                    "product_id",
                    "product_version",
                    "marketplace_item_id",
                    "price",
                    "status",
                    "attempts",
                    "created_at",
                ],
                candidates,
            )
            .returning(
                SyncItem.id,
                SyncItem.product_id,
                SyncItem.product_version,
                SyncItem.marketplace_item_id,
                SyncItem.price,
            )
        )
        rows = await session.execute(statement)
        return [ClaimedItem(*row) for row in rows]

    async def finish(self, job_id: int, auth_error: str | None) -> dict[str, Any]:
        """Final status from the counters (or failed on lost authorization); the lease ends."""
        now = utcnow()
        async with self.sessions() as session, session.begin():
            if auth_error:
                await session.execute(
                    update(SyncItem)
                    .where(
                        SyncItem.job_id == job_id,
                        SyncItem.status == ItemStatus.IN_FLIGHT.value,
                    )
                    .values(
                        status=ItemStatus.FAILED.value,
                        error_code="marketplace_auth",
                        error="not pushed: " + auth_error[:MAX_ERROR_LENGTH],
                    )
                    .execution_options(synchronize_session=False)
                )
            job = await session.get(SyncJob, job_id, with_for_update=True)
            if job is None or job.lease_owner != self.id:
                raise LeaseLostError
            if auth_error:
                job.status = JobStatus.FAILED.value
                job.last_error = auth_error[:MAX_ERROR_LENGTH]
            elif job.items_failed == 0:
                job.status = JobStatus.SUCCEEDED.value
            elif job.items_succeeded == 0:
                job.status = JobStatus.FAILED.value
            else:
                job.status = JobStatus.PARTIAL.value
            job.finished_at = now
            job.lease_owner = None
            job.lease_expires_at = None
            summary = {
                "status": job.status,
                "items_total": job.items_total,
                "items_succeeded": job.items_succeeded,
                "items_failed": job.items_failed,
                "retries": job.retries,
            }
        return summary

    async def release(self, job_id: int, unsent: list[int]) -> None:
        """Back to queued for the next worker; claimed-but-unsent items are un-claimed."""
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(SyncJob)
                .where(SyncJob.id == job_id, SyncJob.lease_owner == self.id)
                .values(
                    status=JobStatus.QUEUED.value,
                    lease_owner=None,
                    lease_expires_at=None,
                    items_total=SyncJob.items_total - len(unsent),
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise LeaseLostError
            if unsent:
                await session.execute(
                    delete(SyncItem)
                    .where(SyncItem.id.in_(unsent))
                    .execution_options(synchronize_session=False)
                )


def _job_error(outcome: Outcome) -> str:
    text = f"product {outcome.item.product_id} ({outcome.item.item_id}): {outcome.error}"
    return text[:MAX_ERROR_LENGTH]
