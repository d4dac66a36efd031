"""Request and response bodies of the sync API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pricing_service.sync.models import SyncItem, SyncJob
from pricing_service.sync.service import SyncStatus

ProductId = Annotated[int, Field(ge=1, le=2_147_483_647)]
JobStatusName = Literal["queued", "running", "succeeded", "partial", "failed"]
ItemStatusName = Literal["in_flight", "succeeded", "failed", "rejected"]


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_ids: list[ProductId] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="push these products (pending or not); omit to push every pending product",
    )


class SyncJobOut(BaseModel):
    id: int
    status: JobStatusName
    trigger: Literal["api", "schedule", "cli"]
    requested_by: int | None = Field(description="user id; null for scheduled jobs")
    request_id: str | None = Field(description="X-Request-ID of the call that created the job")
    product_ids: list[int] | None = Field(description="null: every pending product")
    items_total: int = Field(description="product versions claimed so far")
    items_succeeded: int
    items_failed: int = Field(description="failed after retries, or rejected by the marketplace")
    retries: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, job: SyncJob) -> SyncJobOut:
        return cls.model_validate(job, from_attributes=True)


class SyncJobPage(BaseModel):
    items: list[SyncJobOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null at end")


class SyncItemOut(BaseModel):
    id: int
    product_id: int
    product_version: int
    marketplace_item_id: str
    price: str = Field(description="the price sent, a decimal string")
    status: ItemStatusName
    attempts: int = Field(description="PUT requests made for this item")
    error_code: str | None = Field(
        description="item_not_found, item_inactive, price_rejected, rejected, transient, "
        "marketplace_auth"
    )
    error: str | None = Field(description="the marketplace's own message when it refused")
    created_at: datetime
    synced_at: datetime | None

    @classmethod
    def of(cls, item: SyncItem) -> SyncItemOut:
        return cls(
            id=item.id,
            product_id=item.product_id,
            product_version=item.product_version,
            marketplace_item_id=item.marketplace_item_id,
            price=str(item.price),
            status=item.status,
            attempts=item.attempts,
            error_code=item.error_code,
            error=item.error,
            created_at=item.created_at,
            synced_at=item.synced_at,
        )


class SyncItemPage(BaseModel):
    items: list[SyncItemOut]
    next_cursor: str | None


class SyncStatusOut(BaseModel):
    backlog: int = Field(
        description="products with a price not yet pushed that the marketplace can still take"
    )
    oldest_pending_since: datetime | None
    oldest_pending_age_seconds: float = Field(description="0 when nothing is pending")
    last_success_at: datetime | None = Field(
        description="when the last job that pushed everything it claimed finished"
    )
    last_push_at: datetime | None = Field(
        description="when an item was last pushed to the marketplace, by any job"
    )
    rejected: int = Field(
        description="products whose current price the marketplace refused for good (not in "
        "the backlog: fix the product or the listing, then change or re-sync it)"
    )
    degraded: bool = Field(description="the seller's marketplace authorization is unusable")
    degraded_reason: str | None
    active_job: SyncJobOut | None

    @classmethod
    def of(cls, status: SyncStatus) -> SyncStatusOut:
        return cls(
            backlog=status.backlog,
            oldest_pending_since=status.oldest_pending_since,
            oldest_pending_age_seconds=round(status.oldest_pending_age_seconds, 3),
            last_success_at=status.last_success_at,
            last_push_at=status.last_push_at,
            rejected=status.rejected,
            degraded=status.degraded_reason is not None,
            degraded_reason=status.degraded_reason,
            active_job=SyncJobOut.of(status.active_job) if status.active_job else None,
        )
