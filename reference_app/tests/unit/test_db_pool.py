"""The connection pool's queue serves waiters in order: a newcomer never takes a waiter's turn."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.util.concurrency import greenlet_spawn
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty

from pricing_service.core.db import FairAsyncPool, driver_conninfo


async def _who_gets_a_returned_connection(queue: AsyncAdaptedQueue[str]) -> list[str]:
    taken: list[str] = []

    async def take(name: str) -> None:
        await greenlet_spawn(queue.get, True, 5.0)
        taken.append(name)

    waiter = asyncio.create_task(take("waiter"))
    await asyncio.sleep(0.01)  # the waiter is in line: the pool is empty
    newcomer = asyncio.create_task(take("newcomer"))  # runs before the waiter is woken
    queue.put_nowait("connection")
    await asyncio.sleep(0.01)
    first = list(taken)
    queue.put_nowait("connection")
    await asyncio.wait_for(asyncio.gather(waiter, newcomer), 5.0)
    return first


def test_a_returned_connection_goes_to_the_request_that_waited_longest() -> None:
    fair = FairAsyncPool._queue_class(maxsize=2)
    assert asyncio.run(_who_gets_a_returned_connection(fair)) == ["waiter"]  # type: ignore[arg-type]


def test_sqlalchemys_own_queue_lets_the_newcomer_pass() -> None:
    """Why the fair queue exists (if this starts failing, SQLAlchemy fixed it upstream)."""
    stock: AsyncAdaptedQueue[str] = AsyncAdaptedQueue(maxsize=2)
    assert asyncio.run(_who_gets_a_returned_connection(stock)) == ["newcomer"]


def test_a_wait_past_the_pool_timeout_is_empty() -> None:
    queue = FairAsyncPool._queue_class(maxsize=1)
    with pytest.raises(Empty):
        asyncio.run(greenlet_spawn(queue.get, True, 0.05))


def test_psycopg_connects_with_libpq_and_keeps_credentials_and_options() -> None:
    url = "postgresql+psycopg://app:pw@db:5432/p?sslmode=require"  # pragma: allowlist secret
    expected = "postgresql://app:pw@db:5432/p?sslmode=require"  # pragma: allowlist secret
    assert driver_conninfo(url) == expected
