"""Startup and shutdown: open what the app holds (``AppState``), log both ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from pricing_service.auth.lifecycle import auth_lifecycle
from pricing_service.core.db import driver_pool
from pricing_service.core.logging import get_logger
from pricing_service.core.state import Database, state_of
from pricing_service.pricing.reads import ProductReads
from pricing_service.settings import Settings
from pricing_service.state import AppState
from pricing_service.sync.lifecycle import sync_lifecycle

logger = get_logger("pricing_service.lifecycle")


def build_lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = state_of(app, AppState)
        async with Database.open(settings.database_url) as database:
            state.database = database
            logger.info(
                "startup",
                app_env=str(settings.app_env),
                database=database.engine.url.get_backend_name(),
            )
            try:
                async with (
                    driver_pool(settings.database_url) as pool,  # the hottest reads (ADR 0012)
                    # keys, hasher, session cache (ADR 0009)
                    auth_lifecycle(settings, database.read_sessions) as state.auth,
                    sync_lifecycle(app, settings),  # gauges; in-process worker in development
                ):
                    state.product_reads = ProductReads(pool, database.engine)
                    yield
            finally:
                state.auth = state.product_reads = state.database = None
                logger.info("shutdown")

    return lifespan
