"""Startup and shutdown: open the database engine, log both ends through the structured logger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pricing_service.auth.lifecycle import auth_lifecycle
from pricing_service.core.db import (
    create_engine,
    driver_pool,
    head_revisions,
    read_session_factory,
    session_factory,
)
from pricing_service.observability.logging import get_logger
from pricing_service.pricing.reads import ProductReads
from pricing_service.settings import Settings
from pricing_service.sync.lifecycle import sync_lifecycle

logger = get_logger("pricing_service.lifecycle")


def build_lifespan(settings: Settings):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.read_sessions = read_session_factory(engine)
        app.state.heads = head_revisions(settings.database_url)
        logger.info(
            "startup", app_env=str(settings.app_env), database=engine.url.get_backend_name()
        )
        try:
            async with (
                driver_pool(settings.database_url) as pool,  # the hottest reads (ADR 0012)
                auth_lifecycle(app, settings),  # keys, hasher, session cache (ADR 0009)
                sync_lifecycle(app, settings),  # gauges; in-process worker in development
            ):
                app.state.product_reads = ProductReads(pool, engine)
                yield
        finally:
            await engine.dispose()
            logger.info("shutdown")

    return lifespan
