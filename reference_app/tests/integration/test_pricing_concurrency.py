"""No lost update: concurrent writers of one product at one version, on PostgreSQL.

Many requests run at once on one app (asyncio.gather over httpx.AsyncClient + ASGITransport), so
they really overlap in the database: the compare-and-set UPDATE must let exactly one win.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.pricing.models import IdempotencyKey, PriceChange, Product

pytestmark = pytest.mark.postgres(
    "SQLite runs one writer at a time, so it cannot show the row-level race this test is about"
)
WRITERS = 25


async def _concurrently(app: FastAPI, requests: list[dict[str, Any]]) -> list[httpx.Response]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return list(await asyncio.gather(*(client.request(**r) for r in requests)))


def test_concurrent_updates_at_one_version_have_exactly_one_winner(
    app: FastAPI,
    auth_headers: Callable[..., dict[str, str]],
    make_product: Any,
    db: Session,
) -> None:
    product = make_product()
    headers = {**auth_headers("pricing_manager"), "If-Match": '"1"'}
    requests = [
        {
            "method": "PUT",
            "url": f"/api/products/{product.id}/price",
            "json": {"price": f"{101 + i}.00", "reason": f"writer {i}"},
            "headers": headers,
        }
        for i in range(WRITERS)
    ]
    responses = asyncio.run(_concurrently(app, requests))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (WRITERS - 1), [r.text for r in responses]
    assert all(r.json()["current_version"] == 2 for r in responses if r.status_code == 412)
    winner = next(r.json() for r in responses if r.status_code == 200)
    db.expire_all()
    stored = db.get(Product, product.id)
    assert stored is not None
    successes = statuses.count(200)
    assert stored.version == 1 + successes
    assert f"{stored.price:.2f}" == winner["price"]
    changes = db.scalars(select(PriceChange).where(PriceChange.product_id == product.id)).all()
    assert len(changes) == successes
    assert f"{changes[0].new_price:.2f}" == winner["price"]


def test_concurrent_replays_of_one_bulk_apply_it_once(
    app: FastAPI,
    auth_headers: Callable[..., dict[str, str]],
    make_product: Any,
    db: Session,
) -> None:
    products = [make_product() for _ in range(3)]
    headers = {**auth_headers("pricing_manager"), "Idempotency-Key": uuid.uuid4().hex}
    body = {"items": [{"product_id": p.id, "price": "120.00"} for p in products]}
    requests = [
        {"method": "POST", "url": "/api/prices/bulk", "json": body, "headers": headers}
        for _ in range(10)
    ]
    responses = asyncio.run(_concurrently(app, requests))
    assert {r.status_code for r in responses} == {200}, [r.text for r in responses]
    bodies = {r.text for r in responses}
    assert len(bodies) == 1  # every caller sees the one stored result
    assert responses[0].json()["applied"] == 3
    assert db.scalar(select(func.count()).select_from(PriceChange)) == 3
    assert db.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
