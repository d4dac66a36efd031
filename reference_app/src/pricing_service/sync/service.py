"""Sync jobs as the API sees them: enqueue (one active job at a time), list, read, freshness.

The worker (``sync/worker.py``) runs the jobs; this module only reads and creates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import BigInteger, ColumnElement, case, exists, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pricing_service.core.time import utcnow
from pricing_service.observability.metrics import set_sync_status
from pricing_service.pricing.models import Product
from pricing_service.sync.credentials import degraded_reason
from pricing_service.sync.models import (
    ACTIVE_STATUSES,
    MARKETPLACE,
    ItemStatus,
    JobStatus,
    JobTrigger,
    SyncItem,
    SyncJob,
)
from pricing_service.sync.problems import JobNotFoundError, SyncDegradedError, UnknownProductsError

ENQUEUE_ATTEMPTS = 3
T = TypeVar("T", SyncJob, SyncItem)


@dataclass(frozen=True)
class SyncStatus:
    """Freshness per item: what can still be pushed, how long the oldest of it has waited, and
    when an item was last pushed. Products the marketplace refused for good are counted apart
    (``rejected``): they wait for a person, not for the sync, and page nobody as staleness."""

    backlog: int
    oldest_pending_since: datetime | None
    oldest_pending_age_seconds: float
    last_success_at: datetime | None
    last_push_at: datetime | None
    rejected: int
    degraded_reason: str | None
    active_job: SyncJob | None


async def active_job(session: AsyncSession) -> SyncJob | None:
    job: SyncJob | None = await session.scalar(
        select(SyncJob).where(
            SyncJob.marketplace == MARKETPLACE, SyncJob.status.in_(ACTIVE_STATUSES)
        )
    )
    return job


async def enqueue_job(
    session: AsyncSession,
    *,
    trigger: JobTrigger,
    requested_by: int | None = None,
    request_id: str | None = None,
    product_ids: Sequence[int] | None = None,
) -> tuple[SyncJob, bool]:
    """The queued-or-running job if there is one (created=False), else a new queued job.

    Race-safe: two concurrent calls both try the insert and the partial unique index
    ``uq_sync_jobs_one_active`` lets one win; the other returns the winner's job. Commits.
    """
    reason = await degraded_reason(session)
    if reason is not None:
        raise SyncDegradedError(reason)
    if product_ids is not None:
        wanted = sorted(set(product_ids))
        found = set(await session.scalars(select(Product.id).where(Product.id.in_(wanted))))
        missing = [pid for pid in wanted if pid not in found]
        if missing:
            raise UnknownProductsError(missing)
        product_ids = wanted
    for _ in range(ENQUEUE_ATTEMPTS):
        existing = await active_job(session)
        if existing is not None:
            return existing, False
        job = SyncJob(
            marketplace=MARKETPLACE,
            status=JobStatus.QUEUED.value,
            trigger=trigger.value,
            requested_by=requested_by,
            request_id=request_id,
            product_ids=None if product_ids is None else list(product_ids),
            items_total=0,
            items_succeeded=0,
            items_failed=0,
            retries=0,
            claims=0,
            created_at=utcnow(),
        )
        session.add(job)
        try:
            await session.commit()
        except IntegrityError:  # another request created the active job first
            await session.rollback()
            continue
        return job, True
    raise RuntimeError("could not enqueue a sync job: the active job kept changing")


async def list_jobs(
    session: AsyncSession, *, limit: int, cursor: int | None = None
) -> tuple[list[SyncJob], str | None]:
    """Newest first; the cursor is the last id of the previous page."""
    statement = select(SyncJob).order_by(SyncJob.id.desc()).limit(limit + 1)
    if cursor is not None:
        # BIGINT: a 10-digit cursor may exceed int4 (PostgreSQL: 'integer out of range')
        statement = statement.where(SyncJob.id < literal(cursor, BigInteger))
    return _page(list(await session.scalars(statement)), limit)


async def get_job(session: AsyncSession, job_id: int) -> SyncJob:
    job = await session.get(SyncJob, job_id)
    if job is None:
        raise JobNotFoundError(job_id)
    return job


async def list_items(
    session: AsyncSession,
    job_id: int,
    *,
    status: ItemStatus | None = None,
    limit: int,
    cursor: int | None = None,
) -> tuple[list[SyncItem], str | None]:
    """A job's item outcomes in claim order; the cursor is the last id of the previous page."""
    statement = (
        select(SyncItem).where(SyncItem.job_id == job_id).order_by(SyncItem.id).limit(limit + 1)
    )
    if status is not None:
        statement = statement.where(SyncItem.status == status.value)
    if cursor is not None:
        statement = statement.where(SyncItem.id > literal(cursor, BigInteger))  # may exceed int4
    return _page(list(await session.scalars(statement)), limit)


def _page(rows: list[T], limit: int) -> tuple[list[T], str | None]:
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], str(rows[limit - 1].id)


def refused_at_current_version() -> ColumnElement[bool]:
    """The marketplace refused the product's current version for good (a rejected item)."""
    return exists().where(
        SyncItem.product_id == Product.id,
        SyncItem.product_version == Product.version,
        SyncItem.status == ItemStatus.REJECTED.value,
    )


def pending_criteria() -> tuple[ColumnElement[bool], ...]:
    """Products waiting for the marketplace: a pending mark, a listing to push to, and a version
    the marketplace has not refused for good (that one waits for a person: ``rejected``)."""
    return (
        Product.pending_sync_since.is_not(None),
        Product.marketplace_item_id.is_not(None),
        ~refused_at_current_version(),
    )


def _waiting_since() -> ColumnElement[datetime]:
    """When a pending product became pushable: its pending mark, or, when an earlier version
    was refused, that refusal (the mark keeps the first unpushed change, which then waited
    for a person, not for the sync)."""
    refused = (
        select(func.max(SyncItem.created_at))
        .where(SyncItem.product_id == Product.id, SyncItem.status == ItemStatus.REJECTED.value)
        .scalar_subquery()
    )
    return case((refused > Product.pending_sync_since, refused), else_=Product.pending_sync_since)


async def sync_status(session: AsyncSession) -> SyncStatus:
    backlog, oldest = (
        await session.execute(
            select(func.count(Product.id), func.min(_waiting_since())).where(*pending_criteria())
        )
    ).one()
    rejected = await session.scalar(
        select(func.count(Product.id)).where(
            Product.pending_sync_since.is_not(None),
            Product.marketplace_item_id.is_not(None),
            refused_at_current_version(),
        )
    )
    last_success: datetime | None = await session.scalar(
        select(func.max(SyncJob.finished_at)).where(SyncJob.status == JobStatus.SUCCEEDED.value)
    )
    last_push: datetime | None = await session.scalar(
        select(func.max(SyncItem.synced_at)).where(SyncItem.status == ItemStatus.SUCCEEDED.value)
    )
    oldest_since = _aware(oldest)
    age = (utcnow() - oldest_since).total_seconds() if oldest_since is not None else 0.0
    return SyncStatus(
        backlog=int(backlog or 0),
        oldest_pending_since=oldest_since,
        oldest_pending_age_seconds=max(0.0, age),
        last_success_at=_aware(last_success),
        last_push_at=_aware(last_push),
        rejected=int(rejected or 0),
        degraded_reason=await degraded_reason(session),
        active_job=await active_job(session),
    )


async def publish_metrics(session: AsyncSession) -> SyncStatus:
    """Read the freshness from the database and set the pricing_sync_* gauges."""
    status = await sync_status(session)
    set_sync_status(
        backlog=status.backlog,
        oldest_pending_age_seconds=status.oldest_pending_age_seconds,
        rejected=status.rejected,
        last_success=status.last_success_at.timestamp() if status.last_success_at else None,
        last_push=status.last_push_at.timestamp() if status.last_push_at else None,
    )
    return status


def _aware(value: datetime | None) -> datetime | None:
    """min()/max() keep the column's UtcDateTime type; this only guards a naive value."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
