"""POST /api/prices/bulk: per-item results in one transaction, made idempotent by a key.

Each item is applied (compare-and-set) or rejected with the same stable code the single-price
endpoint would answer; the applied changes, their history rows and the stored response commit
together, so a replay returns exactly what was applied, and a failed commit applies nothing.
Keys are scoped to the user, stored with the SHA-256 of the canonical body, and expire.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pricing_service.core.errors import ProblemError
from pricing_service.core.time import utcnow
from pricing_service.pricing.models import IdempotencyKey
from pricing_service.pricing.money import format_amount
from pricing_service.pricing.problems import (
    BULK_DUPLICATE_ITEM,
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_REUSED,
    VERSION_MISMATCH,
    ProductNotFoundError,
)
from pricing_service.pricing.rules import guardrail_violation
from pricing_service.pricing.schemas import BulkItem, BulkRequest
from pricing_service.pricing.service import apply_price, products

keys = cast(Table, IdempotencyKey.__table__)
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, e.g. a UUID


@dataclass(frozen=True)
class BulkResponse:
    status_code: int
    body: bytes
    replayed: bool


def checked_key(value: str | None) -> str:
    if value is None or not _KEY.fullmatch(value):
        raise ProblemError(
            IDEMPOTENCY_KEY_INVALID,
            "send an Idempotency-Key header: 1 to 255 visible ASCII characters, such as a UUID",
        )
    return value


def request_hash(body: BulkRequest) -> str:
    """SHA-256 of the canonical body: key order, spacing and "1.5" vs "1.50" do not matter."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _stored(session: AsyncSession, user_id: int, key: str) -> Row[Any] | None:
    stmt = select(keys).where(keys.c.user_id == user_id, keys.c.key == key)
    return (await session.execute(stmt)).first()


def _replay(stored: Row[Any], digest: str, key: str) -> BulkResponse:
    if stored.request_hash != digest:
        raise ProblemError(
            IDEMPOTENCY_KEY_REUSED,
            f"Idempotency-Key {key!r} was used with a different body; use a new key",
        )
    return BulkResponse(stored.status_code, stored.response_body.encode(), replayed=True)


def _result(index: int, item: BulkItem, product: Row[Any] | None, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "index": index,
        "product_id": product.id if product is not None else item.product_id,
        "sku": product.sku if product is not None else item.sku,
        "status": "rejected",
        "version": product.version if product is not None else None,
        "price": format_amount(product.price) if product is not None else None,
        "code": None,
        "detail": None,
        "current_version": None,
    }
    result.update(fields)
    return result


def _rejected(
    index: int, item: BulkItem, product: Row[Any] | None, error: ProblemError
) -> dict[str, Any]:
    current = error.extensions.get("current_version")
    return _result(
        index, item, product, code=error.problem.code, detail=error.detail, current_version=current
    )


async def _load(session: AsyncSession, items: list[BulkItem]) -> dict[int | str, Row[Any]]:
    """Every referenced product in at most two queries, keyed by id and by sku."""
    ids = {i.product_id for i in items if i.product_id is not None}
    skus = {i.sku for i in items if i.sku is not None}
    found: dict[int | str, Row[Any]] = {}
    if ids:
        for row in await session.execute(select(products).where(products.c.id.in_(ids))):
            found[row.id] = row
    if skus:
        for row in await session.execute(select(products).where(products.c.sku.in_(skus))):
            found[row.sku] = row
    return found


async def _apply_items(
    session: AsyncSession,
    body: BulkRequest,
    *,
    actor_id: int,
    request_id: str,
    max_change_ratio: Decimal,
) -> dict[str, Any]:
    found = await _load(session, body.items)
    seen: set[int] = set()
    results: list[dict[str, Any]] = []
    for index, item in enumerate(body.items):
        ref: int | str = item.product_id if item.product_id is not None else str(item.sku)
        product = found.get(ref)
        if product is None:
            error: ProblemError = ProductNotFoundError(repr(ref))
            results.append(_rejected(index, item, None, error))
            continue
        if product.id in seen:
            error = ProblemError(BULK_DUPLICATE_ITEM, f"product {product.id} appears twice")
            results.append(_rejected(index, item, product, error))
            continue
        seen.add(product.id)
        if item.version is not None and item.version != product.version:
            error = ProblemError(
                VERSION_MISMATCH,
                f"product {product.id} is at version {product.version}",
                current_version=product.version,
            )
            results.append(_rejected(index, item, product, error))
            continue
        violation = guardrail_violation(
            old_price=product.price,
            new_price=item.price,
            min_price=product.min_price,
            max_price=product.max_price,
            max_change_ratio=max_change_ratio,
        )
        if violation is not None:
            results.append(_rejected(index, item, product, violation.error()))
            continue
        if item.price == product.price:
            results.append(_result(index, item, product, status="unchanged"))
            continue
        updated = await apply_price(
            session,
            product,
            new_price=item.price,
            reason=item.reason or body.reason,
            actor_id=actor_id,
            request_id=request_id,
        )
        if updated is None:  # changed by another writer since it was read
            error = ProblemError(
                VERSION_MISMATCH, f"product {product.id} changed during the bulk update"
            )
            results.append(_rejected(index, item, product, error))
            continue
        results.append(_result(index, item, updated, status="applied"))
    counts = {s: sum(r["status"] == s for r in results) for s in ("applied", "unchanged")}
    return {
        "applied": counts["applied"],
        "unchanged": counts["unchanged"],
        "rejected": len(results) - counts["applied"] - counts["unchanged"],
        "results": results,
    }


async def bulk_change_prices(
    session: AsyncSession,
    body: BulkRequest,
    *,
    key: str,
    actor_id: int,
    request_id: str,
    max_change_ratio: Decimal,
    key_ttl: timedelta,
) -> BulkResponse:
    digest = request_hash(body)
    now = utcnow()
    # Expired keys of this user are forgotten first, so an old key may be used again.
    await session.execute(delete(keys).where(keys.c.user_id == actor_id, keys.c.expires_at <= now))
    stored = await _stored(session, actor_id, key)
    if stored is not None:
        await session.commit()
        return _replay(stored, digest, key)
    result = await _apply_items(
        session, body, actor_id=actor_id, request_id=request_id, max_change_ratio=max_change_ratio
    )
    response_body = json.dumps(result, separators=(",", ":"))
    try:
        await session.execute(
            insert(keys).values(
                user_id=actor_id,
                key=key,
                request_hash=digest,
                status_code=200,
                response_body=response_body,
                created_at=now,
                expires_at=now + key_ttl,
            )
        )
        await session.commit()
    except IntegrityError:
        # The same key was committed by a concurrent request: undo ours, answer with theirs.
        await session.rollback()
        stored = await _stored(session, actor_id, key)
        if stored is None:
            raise
        return _replay(stored, digest, key)
    return BulkResponse(200, response_body.encode(), replayed=False)
