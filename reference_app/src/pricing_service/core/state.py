"""The application's typed state: one object on ``app.state``, read through :func:`state_of`.

``create_app`` attaches it with the settings; the lifespan opens the database on it. Code reads
``state_of(request).database.sessions``, never an untyped ``app.state.<name>``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from pricing_service.core.db import (
    create_engine,
    head_revisions,
    read_session_factory,
    session_factory,
)
from pricing_service.core.settings import CoreSettings

T = TypeVar("T")
SettingsT = TypeVar("SettingsT", bound=CoreSettings)
StateT = TypeVar("StateT", bound="CoreState[Any]")
_ATTRIBUTE = "typed"  # the one name this module keeps on Starlette's app.state


@dataclass(frozen=True)
class Database:
    """The process's engine, its session factories, and the migration heads the code expects."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]  # autocommit, for safe methods
    heads: frozenset[str]

    @classmethod
    @asynccontextmanager
    async def open(cls, database_url: str) -> AsyncIterator[Database]:
        engine = create_engine(database_url)
        try:
            yield cls(
                engine,
                session_factory(engine),
                read_session_factory(engine),
                frozenset(head_revisions(database_url)),
            )
        finally:
            await engine.dispose()


class NotStartedError(RuntimeError):
    """A resource the lifespan opens was read before the app started (or after it stopped)."""


class CoreState(Generic[SettingsT]):
    """What every service's app holds: its settings, and its database once started."""

    def __init__(self, settings: SettingsT) -> None:
        self.settings = settings
        self._database: Database | None = None

    @property
    def database(self) -> Database:
        return started(self._database, "database")

    @database.setter
    def database(self, database: Database | None) -> None:
        self._database = database


def started(value: T | None, name: str) -> T:
    """``value``, opened by the lifespan; NotStartedError while it is not."""
    if value is None:
        raise NotStartedError(f"the app's {name} is opened by its lifespan: start the app first")
    return value


def attach_state(app: Starlette, state: CoreState[SettingsT]) -> None:
    setattr(app.state, _ATTRIBUTE, state)


@overload
def state_of(holder: Starlette | HTTPConnection) -> CoreState[CoreSettings]: ...
@overload
def state_of(holder: Starlette | HTTPConnection, kind: type[StateT]) -> StateT: ...
def state_of(
    holder: Starlette | HTTPConnection, kind: type[CoreState[CoreSettings]] = CoreState
) -> CoreState[CoreSettings]:
    """The app's typed state, from the app or a request (``kind``: the service's subclass)."""
    app = holder.app if isinstance(holder, HTTPConnection) else holder
    state = getattr(app.state, _ATTRIBUTE, None)
    if not isinstance(state, kind):
        raise NotStartedError(f"no {kind.__name__} on this app: build it with create_app")
    return state
