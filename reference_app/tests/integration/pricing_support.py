"""Pricing test helpers: what a rejected update must leave untouched, and history counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.pricing.models import PriceChange, Product


def snapshot(db: Session, product_id: int) -> tuple[Any, ...]:
    """What a rejected update must leave untouched: price, version, sync mark, history count."""
    db.expire_all()
    product = db.get(Product, product_id)
    assert product is not None
    history = db.scalar(
        select(func.count()).select_from(PriceChange).where(PriceChange.product_id == product_id)
    )
    return (product.price, product.version, product.pending_sync_since, history)


def history_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(PriceChange)) or 0)
