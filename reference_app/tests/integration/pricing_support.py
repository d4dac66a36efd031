"""Pricing test helpers: a product factory on the sync session and problem assertions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.core.time import utcnow
from pricing_service.pricing.models import PriceChange, Product

_SKUS = itertools.count(1)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@pytest.fixture
def make_product(db: Session) -> Callable[..., Product]:
    """``make_product(**fields)``: price 100.00 within [50.00, 200.00], version 1, ARS."""

    def make(**fields: Any) -> Product:
        number = next(_SKUS)
        values: dict[str, Any] = {
            "sku": f"SKU-{number:05d}",
            "title": f"Product {number}",
            "currency": "ARS",
            "cost": Decimal("60.00"),
            "price": Decimal("100.00"),
            "min_price": Decimal("50.00"),
            "max_price": Decimal("200.00"),
            "version": 1,
            "updated_at": utcnow(),
            "created_at": utcnow(),
        }
        values.update(fields)
        product = Product(**values)
        db.add(product)
        db.commit()
        return product

    return make


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
