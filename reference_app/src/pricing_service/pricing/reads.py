"""The hot product reads (GET /api/products and /api/products/{id}) at their stack's floor.

ADR 0012. The statements are SQLAlchemy Core ``select()``s over the mapped table (the models stay
the schema's source), compiled to SQL once per filter combination. On PostgreSQL they run on
psycopg's own pool as prepared statements, without SQLAlchemy's session, execution and result
layers (about half of the list's CPU, reference_app/bench), and the amounts come back as text:
``numeric(12,2)::text`` is already the wire form ("1999.90"), so no ``Decimal`` is built and
formatted per field. Rows, tuples in ``PRODUCT_FIELDS`` order, become JSON objects straight away
and orjson renders the body.

Elsewhere (SQLite in development and tests) the same statements run through the engine and the
amounts are formatted in Python: the bodies are the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
import psycopg
from fastapi import Request
from sqlalchemy import BigInteger, Integer, Select, Text, bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from pricing_service.core.db import DriverPool
from pricing_service.core.state import state_of
from pricing_service.pricing.money import format_amount
from pricing_service.pricing.problems import ProductNotFoundError
from pricing_service.pricing.schemas import PRODUCT_FIELDS
from pricing_service.pricing.service import PRODUCT_BY_ID, PRODUCT_COLUMNS, products
from pricing_service.state import AppState

Row = Sequence[Any]
_MONEY = frozenset({"cost", "price", "min_price", "max_price"})
_MONEY_AT = tuple(i for i, name in enumerate(PRODUCT_FIELDS) if name in _MONEY)
_ID_AT = PRODUCT_FIELDS.index("id")
_VERSION_AT = PRODUCT_FIELDS.index("version")
_PSYCOPG = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
# The amounts as PostgreSQL writes them: numeric(12,2) always has two decimals.
_TEXT_COLUMNS = tuple(
    column.cast(Text).label(column.name) if column.name in _MONEY else column
    for column in PRODUCT_COLUMNS
)


@cache  # one statement per combination of filters: at most 2 * 2 * 2 * 3
def list_statement(cursor: bool, sku: bool, q: bool, pending_sync: bool | None) -> Select[Any]:
    stmt = select(*PRODUCT_COLUMNS).order_by(products.c.id).limit(bindparam("limit", type_=Integer))
    if cursor:
        # BIGINT: a 10-digit cursor may exceed int4 (PostgreSQL: 'integer out of range')
        stmt = stmt.where(products.c.id > bindparam("cursor", type_=BigInteger))
    if sku:
        stmt = stmt.where(products.c.sku == bindparam("sku"))
    if q:
        stmt = stmt.where(products.c.title.ilike(bindparam("pattern"), escape="\\"))
    if pending_sync is True:
        stmt = stmt.where(products.c.pending_sync_since.is_not(None))
    elif pending_sync is False:
        stmt = stmt.where(products.c.pending_sync_since.is_(None))
    return stmt


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@cache
def _postgresql_sql(statement: Select[Any]) -> str:
    """The statement as psycopg runs it (``%(name)s`` parameters), amounts selected as text."""
    with_text = statement.with_only_columns(*_TEXT_COLUMNS, maintain_column_froms=True)
    return str(with_text.compile(dialect=_PSYCOPG))


def _as_json(row: Row) -> dict[str, Any]:
    return dict(zip(PRODUCT_FIELDS, row, strict=True))


class ProductReads:
    """Product pages and single products as rendered JSON bodies."""

    def __init__(self, pool: DriverPool | None, engine: AsyncEngine) -> None:
        self._pool = pool
        self._engine = engine

    async def _fetch(self, statement: Select[Any], params: dict[str, Any]) -> Sequence[Row]:
        if self._pool is not None:
            return await self._fetch_with_driver(_postgresql_sql(statement), params)
        async with self._engine.connect() as connection:
            result = await connection.execute(statement, params)
            return [_format_amounts(row) for row in result]

    async def _fetch_with_driver(self, sql: str, params: dict[str, Any]) -> Sequence[Row]:
        """Run a read; when its pooled connection turns out dead (a restarted server), check
        the pool's other idle connections and run it once more: a read is safe to repeat."""
        assert self._pool is not None
        for last_attempt in (False, True):
            async with self._pool.connection() as connection:
                try:
                    cursor = await connection.execute(sql, params, prepare=True)
                    return await cursor.fetchall()
                except psycopg.OperationalError:
                    if last_attempt or not connection.broken:
                        raise
            await self._pool.check()  # the pool replaces every dead one it finds
        raise AssertionError("unreachable")

    async def page(
        self,
        *,
        limit: int,
        cursor: int | None = None,
        sku: str | None = None,
        q: str | None = None,
        pending_sync: bool | None = None,
    ) -> bytes:
        """One page ordered by id; its ``next_cursor`` is the last id of the page."""
        statement = list_statement(cursor is not None, sku is not None, bool(q), pending_sync)
        params: dict[str, Any] = {"limit": limit + 1}
        if cursor is not None:
            params["cursor"] = cursor
        if sku is not None:
            params["sku"] = sku
        if q:
            params["pattern"] = like_pattern(q)
        rows = await self._fetch(statement, params)
        next_cursor = str(rows[limit - 1][_ID_AT]) if len(rows) > limit else None
        return orjson.dumps(
            {"items": [_as_json(row) for row in rows[:limit]], "next_cursor": next_cursor}
        )

    async def one(self, product_id: int) -> tuple[bytes, int]:
        """The product's body and its version, or a 404 problem."""
        rows = await self._fetch(PRODUCT_BY_ID, {"id": product_id})
        if not rows:
            raise ProductNotFoundError(product_id)
        return orjson.dumps(_as_json(rows[0])), int(rows[0][_VERSION_AT])


def _format_amounts(row: Row) -> Row:
    values = list(row)
    for at in _MONEY_AT:
        values[at] = format_amount(values[at])
    return values


async def product_reads(request: Request) -> ProductReads:
    """The dependency: the app's reader (``async``: no threadpool hop)."""
    return state_of(request, AppState).product_reads
