"""Auth's per-app state, built in the lifespan: keys, password hasher, the session cache.

On PostgreSQL a task keeps the session cache current (``session_cache.keep_current``) for the
app's life; elsewhere the cache stays off and every session check reads the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pricing_service.auth.passwords import Passwords, passwords_for
from pricing_service.auth.service import Authenticator
from pricing_service.auth.session_cache import SessionCache, keep_current
from pricing_service.auth.tokens import TokenCodec
from pricing_service.settings import Settings


@dataclass(frozen=True)
class AuthToolkit:
    """What auth needs per process, built once per app from its settings."""

    settings: Settings
    codec: TokenCodec
    passwords: Passwords
    sessions: SessionCache
    authenticator: Authenticator


@contextlib.asynccontextmanager
async def auth_lifecycle(
    settings: Settings, read_sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AuthToolkit]:
    """The app's auth toolkit, for the app's life."""
    codec = TokenCodec(settings)
    sessions = SessionCache(ttl_seconds=settings.auth_session_cache_seconds)
    authenticator = Authenticator(codec, sessions, read_sessions)
    toolkit = AuthToolkit(settings, codec, passwords_for(settings), sessions, authenticator)
    on_postgresql = make_url(settings.database_url).get_backend_name() == "postgresql"
    if sessions.ttl_seconds <= 0 or not on_postgresql:
        yield toolkit
        return
    task = asyncio.create_task(keep_current(sessions, settings.database_url), name="session-cache")
    try:
        yield toolkit
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
