"""Per-worker memory of session checks, kept current by PostgreSQL notifications (ADR 0009).

Every authenticated request must know that its session (the token's ``sid``) is not revoked and
that its user is still active. Asking PostgreSQL each time costs more than everything else that
GET /api/auth/me does (reference_app/bench). So a worker remembers the answer, and forgets it when
PostgreSQL says something changed:

* migration 0005 puts triggers on ``users`` and ``refresh_families``: an update or delete of a
  user, or a revocation of one of their sessions, sends ``NOTIFY auth_changed, '<user id>'`` when
  its transaction commits (a TRUNCATE sends an empty payload: forget everyone);
* :func:`keep_current` LISTENs on that channel and forgets the named user's entries. The cache
  answers only while that connection is up: it starts empty, and it is emptied and turned off as
  soon as the connection is known to be lost (at once when the server closes it; TCP keepalives
  notice a silent peer within about a minute, less than the default entry lifetime), until it is
  back;
* an answer read from the database is kept only if no notification arrived while it was being
  read (the ``generation`` check), so a revocation racing a read is never lost;
* the worker that revokes a session forgets it itself after its commit, so its next request
  already fails; other workers learn it when the notification reaches them (milliseconds);
* each entry also expires after ``auth_session_cache_seconds`` as a safety net.

SQLite has no notifications: there the cache stays off and every request asks the database.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from pricing_service.core.db import driver_conninfo
from pricing_service.core.logging import get_logger

CHANNEL = "auth_changed"
MAX_ENTRIES = 10_000
logger = get_logger(__name__)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user's columns that routes need, read with the session check."""

    id: int
    email: str
    role: str
    is_active: bool


class SessionCache:
    """Session id → principal, trusted only while :func:`keep_current` is listening."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl_seconds = ttl_seconds
        self.generation = 0
        self.listening = False
        self._entries: dict[str, tuple[Principal, float]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, session_id: str, user_id: int) -> Principal | None:
        if not self.listening:
            return None
        entry = self._entries.get(session_id)
        if entry is None:
            return None
        principal, expires = entry
        if principal.id != user_id or expires <= time.monotonic():
            del self._entries[session_id]
            return None
        return principal

    def put(self, session_id: str, principal: Principal, generation: int) -> None:
        """Remember a check read under ``generation``, unless anything changed since."""
        if not self.listening or generation != self.generation or self.ttl_seconds <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]  # the oldest entry
        self._entries[session_id] = (principal, time.monotonic() + self.ttl_seconds)

    def forget(self, payload: str) -> None:
        """Forget a user's sessions (payload: the user id), or everyone (any other payload)."""
        self.generation += 1
        if not payload.isdigit():
            self._entries.clear()
            return
        user_id = int(payload)
        for session_id in [s for s, (p, _) in self._entries.items() if p.id == user_id]:
            del self._entries[session_id]

    def set_listening(self, listening: bool) -> None:
        """Start (or stop) trusting entries; either way, from an empty cache."""
        self.generation += 1
        self._entries.clear()
        self.listening = listening


# A silently dead peer (a failover, a dropped NAT entry) is noticed within about a minute.
_KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


async def keep_current(
    cache: SessionCache, database_url: str, *, first_retry_seconds: float = 0.5
) -> None:
    """Until cancelled: LISTEN on ``auth_changed`` and forget what each notification names.

    When the connection fails, the cache is off and the next attempt waits twice as long as the
    last one (up to 30 s), so a database outage costs one log line per attempt, not a flood.
    """
    conninfo = driver_conninfo(database_url)
    retry_seconds = first_retry_seconds
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo, autocommit=True, **_KEEPALIVES
            ) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                cache.set_listening(True)
                retry_seconds = first_retry_seconds
                logger.info("session_cache_on")
                async for notification in connection.notifies():
                    cache.forget(notification.payload)
        except (psycopg.Error, OSError) as error:
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            logger.warning("session_cache_off", reason=reason, retry_seconds=retry_seconds)
        finally:
            cache.set_listening(False)
        await asyncio.sleep(retry_seconds)
        retry_seconds = min(retry_seconds * 2, 30.0)
