"""Database access: one async engine per process, one session (and transaction) per command.

Alembic is the only source of the schema; the app never calls ``create_all``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import MetaData, event, exc, make_url, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util.concurrency import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty

# The Alembic environment and revisions ship inside the package, so an installed wheel migrates.
ALEMBIC_INI = Path(str(resources.files("pricing_service") / "migrations" / "alembic.ini"))

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def async_url(database_url: str) -> URL:
    """The async driver URL: sqlite → sqlite+aiosqlite, postgresql → postgresql+psycopg."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    return url.set(drivername="postgresql+psycopg")


def sync_url(database_url: str) -> URL:
    """The sync driver URL used by Alembic and test factories."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite")
    return url.set(drivername="postgresql+psycopg")


def driver_conninfo(database_url: str) -> str:
    """The libpq URL of a PostgreSQL database, for psycopg itself (no SQLAlchemy suffix)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def ensure_sqlite_folder(database_url: str) -> None:
    """SQLite creates the file but not its folder (reference_app/var/ on a fresh clone)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


# A pooled connection idle for longer is tested before use (PgBouncer's server_check_delay).
PING_AFTER_IDLE_SECONDS = 10.0
# Methods that never write (RFC 9110 §9.2.1): their sessions run in autocommit.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _remember_return(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    """On connect and on checkin: when the connection was last known to work."""
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(
    dbapi_error: type[Exception], dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any
) -> None:
    """Test a connection that sat idle, so a restarted database costs no request an error.

    SQLAlchemy's ``pool_pre_ping`` tests every checkout: one more round trip on every request
    (one of the four a one-query read made, reference_app/bench). A connection in steady use is
    not tested; a dead idle one raises ``DisconnectionError`` here and the pool replaces it.
    """
    if time.monotonic() - record.info.get("returned_at", 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
        dbapi_connection.rollback()  # leaves no transaction open (autocommit is set after this)
    except dbapi_error as error:
        raise exc.DisconnectionError(str(error)) from error
    finally:
        cursor.close()


class _FairQueue(AsyncAdaptedQueue[ConnectionPoolEntry]):
    """Pooled connections handed out in the order they were asked for.

    SQLAlchemy's asyncio queue (like ``asyncio.Queue``) lets a request that arrives just as a
    connection comes back take it ahead of the requests already waiting, which then wait again
    at the back of the line: under pool contention a few requests waited for seconds
    (reference_app/bench: p95 2.6 s against a p50 of 35 ms). Here waiters take turns through an
    ``asyncio.Lock``, which is FIFO and lets no newcomer pass a waiter; only the head of the line
    waits on the queue itself.
    """

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._turn = asyncio.Lock()  # binds to the running loop on first use

    def get(self, block: bool = True, timeout: float | None = None) -> ConnectionPoolEntry:
        if not block:
            return self.get_nowait()
        try:
            return await_(self._get_in_turn(asyncio.timeout(timeout)))
        except TimeoutError as error:
            raise Empty() from error  # the pool turns this into its own TimeoutError

    async def _get_in_turn(self, deadline: asyncio.Timeout) -> ConnectionPoolEntry:
        async with deadline, self._turn:
            return await self._queue.get()


class FairAsyncPool(AsyncAdaptedQueuePool):
    _queue_class = _FairQueue


def create_engine(database_url: str) -> AsyncEngine:
    """The process's engine. ``hide_parameters``: a failed statement's error (and so its log
    line) never carries the values bound to it, which may be tokens, emails or passwords."""
    url = async_url(database_url)
    ensure_sqlite_folder(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A fixed pool of 20 per process, no overflow: overflow connections are closed on return, so
    # under load every worker kept opening and closing PostgreSQL connections (reference_app/bench).
    engine = create_async_engine(
        url, poolclass=FairAsyncPool, pool_size=20, max_overflow=0, hide_parameters=True
    )
    pool = engine.sync_engine.pool
    event.listen(pool, "checkout", partial(_ping_if_idle, engine.dialect.loaded_dbapi.Error))
    for returned in ("connect", "checkin"):
        event.listen(pool, returned, _remember_return)
    return engine


# The driver's own pool for the hottest reads (ADR 0012), beside the engine's pool of 20: a read
# holds a connection for one statement, a fraction of a millisecond, so few are enough.
READ_POOL_SIZE = 8
READ_POOL_TIMEOUT_SECONDS = 10.0
DriverPool = AsyncConnectionPool[psycopg.AsyncConnection[tuple[Any, ...]]]


@asynccontextmanager
async def driver_pool(database_url: str) -> AsyncIterator[DriverPool | None]:
    """psycopg's pool on PostgreSQL, for the app's life; None on other databases.

    Autocommit (reads only), prepared statements from the first use, and TimeZone UTC, so
    timestamps come back in UTC whatever the server's setting. Connections open in the
    background: a database that is down at startup fails requests, not the startup. A request
    waits at most ``READ_POOL_TIMEOUT_SECONDS`` for a connection. Dead connections are not
    pinged for: a reader retries a read once when its connection turns out broken.
    """
    if make_url(database_url).get_backend_name() != "postgresql":
        yield None
        return
    pool: DriverPool = AsyncConnectionPool(
        driver_conninfo(database_url),
        kwargs={"autocommit": True, "prepare_threshold": 0, "options": "-c TimeZone=UTC"},
        min_size=READ_POOL_SIZE,
        max_size=READ_POOL_SIZE,
        timeout=READ_POOL_TIMEOUT_SECONDS,
        name="reads",
        open=False,
    )
    await pool.open(wait=False)
    try:
        yield pool
    finally:
        await pool.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions in autocommit, on the same pool: no BEGIN and no ROLLBACK around each read."""
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))


def alembic_config(database_url: str, token_encryption_keys: Sequence[str] = ()) -> Config:
    """Alembic's configuration for ``database_url``. Revisions that seal stored secrets (0007)
    read ``token_encryption_keys`` (TOKEN_ENCRYPTION_KEYS, newest first) when rows need them."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    config.attributes["token_encryption_keys"] = tuple(token_encryption_keys)
    return config


def head_revisions(database_url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def _current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def schema_is_current(engine: AsyncEngine, heads: set[str]) -> bool:
    """True when the database answers and its Alembic revision is the code's head."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        current = await connection.run_sync(_current_revisions)
    return current == heads
