"""Pricing commands and queries. Each command is one transaction; the caller's session is
committed here on success and rolled back on any problem, so nothing is ever half-written.

Price changes use compare-and-set: ``UPDATE products ... WHERE id = :id AND version = :v`` and
a row count of 1, never read-modify-write. On PostgreSQL concurrent writers of one row queue on
its lock and re-check the WHERE clause after the winner commits, so exactly one of them wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Row,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pricing_service.core.errors import ProblemError
from pricing_service.core.time import utcnow
from pricing_service.pricing.models import PriceChange, Product
from pricing_service.pricing.problems import (
    MARKETPLACE_ITEM_TAKEN,
    SKU_TAKEN,
    ProductNotFoundError,
)
from pricing_service.pricing.rules import (
    VersionMismatchError,
    bounds_violation,
    guardrail_violation,
)
from pricing_service.pricing.schemas import PRODUCT_FIELDS, ProductCreate, ProductPatch

products = cast(Table, Product.__table__)
changes = cast(Table, PriceChange.__table__)

# What every product read and write returns: the columns of its JSON, in its order.
PRODUCT_COLUMNS = tuple(products.c[name] for name in PRODUCT_FIELDS)

# Built once: SQLAlchemy memoizes a statement's cache key, so reusing the same object with new
# parameter values skips rebuilding the select and re-deriving that key on every request.
PRODUCT_BY_ID = select(*PRODUCT_COLUMNS).where(products.c.id == bindparam("id"))


@dataclass(frozen=True)
class Page:
    rows: Sequence[Row[Any]]
    next_cursor: str | None


def _page(rows: Sequence[Row[Any]], limit: int) -> Page:
    if len(rows) > limit:
        return Page(rows[:limit], str(rows[limit - 1].id))
    return Page(rows, None)


async def get_product(session: AsyncSession, product_id: int) -> Row[Any]:
    """The product's ``PRODUCT_COLUMNS``, or a 404 problem."""
    row = (await session.execute(PRODUCT_BY_ID, {"id": product_id})).first()
    if row is None:
        raise ProductNotFoundError(product_id)
    return row


async def price_history(
    session: AsyncSession, product_id: int, *, limit: int, cursor: int | None = None
) -> Page:
    """Newest first; the cursor is the last change id of the previous page."""
    stmt = (
        select(changes)
        .where(changes.c.product_id == product_id)
        .order_by(changes.c.id.desc())
        .limit(limit + 1)
    )
    if cursor is not None:
        stmt = stmt.where(changes.c.id < literal(cursor, BigInteger))  # may exceed int4
    rows = (await session.execute(stmt)).all()
    if not rows:
        await get_product(session, product_id)  # 404 for an unknown product, [] otherwise
    return _page(rows, limit)


async def _raise_if_taken(
    session: AsyncSession, *, sku: str | None, item_id: str | None, own_id: int | None
) -> None:
    for column, value, problem in (
        (products.c.sku, sku, SKU_TAKEN),
        (products.c.marketplace_item_id, item_id, MARKETPLACE_ITEM_TAKEN),
    ):
        if value is None:
            continue
        stmt = select(products.c.id).where(column == value)
        if own_id is not None:
            stmt = stmt.where(products.c.id != own_id)
        other = (await session.execute(stmt)).scalar()
        if other is not None:
            raise ProblemError(
                problem, f"product {other} already has {column.name} {value!r}", product_id=other
            )


async def _write_unique(
    session: AsyncSession,
    stmt: Any,
    *,
    sku: str | None,
    item_id: str | None,
    own_id: int | None,
) -> Row[Any] | None:
    """Run an INSERT/UPDATE ... RETURNING; a unique violation becomes a 409 problem."""
    await _raise_if_taken(session, sku=sku, item_id=item_id, own_id=own_id)
    try:
        row = (await session.execute(stmt)).first()
        await session.commit()
    except IntegrityError:
        await session.rollback()  # lost a race with another writer: say which value is taken
        await _raise_if_taken(session, sku=sku, item_id=item_id, own_id=own_id)
        raise
    return row


async def create_product(session: AsyncSession, data: ProductCreate) -> Row[Any]:
    violation = bounds_violation(data.price, data.min_price, data.max_price)
    if violation is not None:
        raise violation.error()
    now = utcnow()
    stmt = (
        insert(products)
        .values(**data.model_dump(), version=1, created_at=now, updated_at=now)
        .returning(*PRODUCT_COLUMNS)
    )
    row = await _write_unique(
        session, stmt, sku=data.sku, item_id=data.marketplace_item_id, own_id=None
    )
    assert row is not None
    return row


async def patch_product(
    session: AsyncSession, product_id: int, data: ProductPatch, accepted: frozenset[int] | None
) -> Row[Any]:
    """Change non-price fields; ``accepted`` (from If-Match/version) is optional here."""
    current = await get_product(session, product_id)
    if accepted is not None and current.version not in accepted:
        raise VersionMismatchError(current.version)
    values = data.model_dump(exclude_unset=True, exclude={"version"})
    for name in ("sku", "title", "currency", "cost", "min_price", "max_price"):
        if name in values and values[name] is None:
            del values[name]  # null means "keep"; only marketplace_item_id can be cleared
    if not values:
        return current
    violation = bounds_violation(
        current.price,
        values.get("min_price", current.min_price),
        values.get("max_price", current.max_price),
    )
    if violation is not None:
        raise violation.error()
    stmt = (
        update(products)
        .where(products.c.id == product_id, products.c.version == current.version)
        .values(**values, version=products.c.version + 1, updated_at=utcnow())
        .returning(*PRODUCT_COLUMNS)
    )
    row = await _write_unique(
        session,
        stmt,
        sku=values.get("sku"),
        item_id=values.get("marketplace_item_id"),
        own_id=product_id,
    )
    if row is None:
        raise VersionMismatchError(await _current_version(session, product_id))
    return row


async def _current_version(session: AsyncSession, product_id: int) -> int:
    await session.rollback()
    version = (
        await session.execute(select(products.c.version).where(products.c.id == product_id))
    ).scalar()
    if version is None:
        raise ProductNotFoundError(product_id)
    return int(version)


async def apply_price(
    session: AsyncSession,
    product: Row[Any],
    *,
    new_price: Decimal,
    reason: str,
    actor_id: int,
    request_id: str,
) -> Row[Any] | None:
    """Compare-and-set the price at ``product.version`` and write its PriceChange row.

    Returns the updated product, or None when another writer changed it first. Does not commit.
    """
    now = utcnow()
    stmt = (
        update(products)
        .where(products.c.id == product.id, products.c.version == product.version)
        .values(
            price=new_price,
            version=products.c.version + 1,
            updated_at=now,
            pending_sync_since=func.coalesce(products.c.pending_sync_since, now),
        )
        .returning(*PRODUCT_COLUMNS)
    )
    updated = (await session.execute(stmt)).first()
    if updated is None:
        return None
    await session.execute(
        insert(changes).values(
            product_id=product.id,
            old_price=product.price,
            new_price=new_price,
            version=updated.version,
            actor_id=actor_id,
            reason=reason,
            request_id=request_id,
            created_at=now,
        )
    )
    return updated


async def change_price(
    session: AsyncSession,
    product_id: int,
    *,
    new_price: Decimal,
    reason: str,
    accepted: frozenset[int],
    actor_id: int,
    request_id: str,
    max_change_ratio: Decimal,
) -> Row[Any]:
    """The guarded price update: 404, then 412 (stale), then 422 guardrails, then one commit."""
    product = await get_product(session, product_id)
    if product.version not in accepted:
        raise VersionMismatchError(product.version)
    violation = guardrail_violation(
        old_price=product.price,
        new_price=new_price,
        min_price=product.min_price,
        max_price=product.max_price,
        max_change_ratio=max_change_ratio,
    )
    if violation is not None:
        raise violation.error()
    if new_price == product.price:
        return product  # nothing changes: no new version, no history row
    updated = await apply_price(
        session,
        product,
        new_price=new_price,
        reason=reason,
        actor_id=actor_id,
        request_id=request_id,
    )
    if updated is None:
        raise VersionMismatchError(await _current_version(session, product_id))
    await session.commit()
    return updated
