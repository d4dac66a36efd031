"""Pricing tables: products, their price history and stored bulk results (idempotency keys).

The schema itself lives in migration 0003; these mirror it. Contract with the sync domain:
``Product.pending_sync_since`` is set by a price change when it is None and kept otherwise; the
sync worker clears it only while the product is still at the version it pushed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pricing_service.core.db import Base
from pricing_service.core.time import UtcDateTime, utcnow

Money = Numeric(12, 2, asdecimal=True)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("min_price > 0", name="min_price_positive"),
        CheckConstraint("min_price <= max_price", name="min_not_above_max"),
        CheckConstraint("price >= min_price AND price <= max_price", name="price_within_bounds"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("length(currency) = 3", name="currency_code"),
        Index("ix_products_pending_sync_since", "pending_sync_since"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    cost: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal] = mapped_column(Money)
    min_price: Mapped[Decimal] = mapped_column(Money)
    max_price: Mapped[Decimal] = mapped_column(Money)
    marketplace_item_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    pending_sync_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def __repr__(self) -> str:
        return f"Product(id={self.id!r}, sku={self.sku!r}, version={self.version!r})"


class PriceChange(Base):
    """One applied price change: the audit trail, written in the same transaction as the price."""

    __tablename__ = "price_changes"
    __table_args__ = (Index("ix_price_changes_product_id_id", "product_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    old_price: Mapped[Decimal] = mapped_column(Money)
    new_price: Mapped[Decimal] = mapped_column(Money)
    version: Mapped[int] = mapped_column(Integer)  # the product version this change produced
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    request_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IdempotencyKey(Base):
    """A processed bulk request: replayed for the same user, key and body until it expires."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
