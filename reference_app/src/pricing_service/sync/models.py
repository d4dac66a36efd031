"""Sync tables: jobs, per-item outcomes and the seller's marketplace credentials.

The schema itself lives in migration 0004; these mirror it. The outbox is ``products``
(``pending_sync_since`` + ``version``, owned by pricing); a job pushes pending products and records
one ``SyncItem`` per (product, version) it claimed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pricing_service.core.db import Base
from pricing_service.core.time import UtcDateTime, utcnow

MARKETPLACE = "mercadolibre"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


class JobTrigger(StrEnum):
    API = "api"
    SCHEDULE = "schedule"
    CLI = "cli"


class ItemStatus(StrEnum):
    IN_FLIGHT = "in_flight"  # claimed; a holder that died leaves it uncertain (verified by GET)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # transient errors until the attempt limit, or authorization lost
    REJECTED = "rejected"  # the marketplace refused it for good (not found, inactive, price)


ACTIVE_STATUSES = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
# At most one queued-or-running job per marketplace: the seller's rate limit is shared anyway.
ONE_ACTIVE_JOB_WHERE = text("status IN ('queued', 'running')")


def _in(values: Any) -> str:
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"


class SyncJob(Base):
    __tablename__ = "sync_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(JobStatus)}", name="status"),
        CheckConstraint(f"trigger IN {_in(JobTrigger)}", name="trigger"),
        Index(
            "uq_sync_jobs_one_active",
            "marketplace",
            unique=True,
            sqlite_where=ONE_ACTIVE_JOB_WHERE,
            postgresql_where=ONE_ACTIVE_JOB_WHERE,
        ),
        Index("ix_sync_jobs_status_lease_expires_at", "status", "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    marketplace: Mapped[str] = mapped_column(String(32), default=MARKETPLACE)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    trigger: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    request_id: Mapped[str | None] = mapped_column(String(128))
    product_ids: Mapped[list[int] | None] = mapped_column(JSON)
    items_total: Mapped[int] = mapped_column(Integer, default=0)
    items_succeeded: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncItem(Base):
    """One product version claimed by a job, and what the marketplace answered."""

    __tablename__ = "sync_items"
    __table_args__ = (
        CheckConstraint(f"status IN {_in(ItemStatus)}", name="status"),
        UniqueConstraint("job_id", "product_id", "product_version"),
        Index("ix_sync_items_job_id_status", "job_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("sync_jobs.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    product_version: Mapped[int] = mapped_column(Integer)
    marketplace_item_id: Mapped[str] = mapped_column(String(32))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.IN_FLIGHT.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MarketplaceCredential(Base):
    """The seller's OAuth tokens; the refresh token is single-use and replaced atomically."""

    __tablename__ = "marketplace_credentials"

    marketplace: Mapped[str] = mapped_column(String(32), primary_key=True)
    refresh_token: Mapped[str] = mapped_column(Text)
    access_token: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # sha256 of the ML_REFRESH_TOKEN this row was seeded from: a new setting re-seeds it.
    seed_fingerprint: Mapped[str] = mapped_column(String(64))
    degraded_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def __repr__(self) -> str:  # never the tokens
        return f"MarketplaceCredential(marketplace={self.marketplace!r})"
