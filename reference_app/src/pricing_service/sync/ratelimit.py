"""A client-side rate limiter: evenly spaced request slots, paused by a marketplace Retry-After."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """At most ``rate`` acquisitions per second, with a small burst to catch up on loop lag.

    ``pause(seconds)`` (a 429's Retry-After) holds every caller, including those already waiting
    for a slot, until the pause is over. One event loop, no lock: nothing awaits between the read
    and the write of the next slot.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst_seconds: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._burst = max(self._interval, burst_seconds)
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0

    async def acquire(self) -> None:
        while True:
            now = self._clock()
            if self._paused_until > now:
                await self._sleep(self._paused_until - now)
                continue
            slot = max(self._next_slot, now - self._burst + self._interval)
            self._next_slot = slot + self._interval
            if slot > now:
                await self._sleep(slot - now)
            if self._paused_until <= self._clock():
                return

    def pause(self, seconds: float) -> None:
        """Hold every request for ``seconds`` from now (never shortens an existing pause)."""
        if seconds > 0:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())
