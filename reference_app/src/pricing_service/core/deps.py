"""Request-scoped dependencies every router shares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from pricing_service.core.db import SAFE_METHODS
from pricing_service.core.state import state_of


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A request-scoped session; the caller commits, anything else rolls back.

    Safe methods get an autocommit session: each statement is its own snapshot, which is all a
    read needs, and it saves two of the three round trips of a one-query request.
    """
    database = state_of(request).database
    factory = database.read_sessions if request.method in SAFE_METHODS else database.sessions
    async with factory() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]
