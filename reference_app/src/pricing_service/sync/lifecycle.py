"""Sync inside the API process: fresh pricing_sync_* gauges on every scrape and, in development
(SYNC_WORKER_IN_PROCESS, on by default there), a worker running next to the API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from pricing_service.core.logging import get_logger
from pricing_service.core.state import state_of
from pricing_service.observability.metrics import add_scrape_hook
from pricing_service.settings import Settings
from pricing_service.sync.credentials import CredentialsKeyError
from pricing_service.sync.service import publish_metrics
from pricing_service.sync.worker import default_worker_id, open_worker

logger = get_logger(__name__)
# A stopped worker finishes its requests in flight; after this it is cancelled.
STOP_GRACE_SECONDS = 15.0


async def refresh_sync_gauges(app: FastAPI) -> None:
    """Scrape hook: read the outbox, so the gauges are true even when no worker is alive."""
    try:
        async with state_of(app).database.sessions() as session:
            await publish_metrics(session)
    except SQLAlchemyError as error:
        logger.warning("sync_gauges_unavailable", error=type(error).__name__)


@asynccontextmanager
async def sync_lifecycle(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    sessions = state_of(app).database.sessions
    add_scrape_hook(app, refresh_sync_gauges)
    if not settings.runs_worker_in_process:
        yield
        return
    async with AsyncExitStack() as stack:
        try:
            worker = await stack.enter_async_context(
                open_worker(settings, sessions, worker_id="api-" + default_worker_id())
            )
        except SQLAlchemyError as error:  # e.g. not migrated yet: the API still serves
            logger.error("sync_worker_not_started", error=type(error).__name__)
            worker = None
        except CredentialsKeyError as error:  # the API still serves; the reason is one line
            logger.error("sync_worker_not_started", error=str(error))
            worker = None
        if worker is None:
            yield
            return
        task = asyncio.create_task(worker.run(), name="sync-worker")
        try:
            yield
        finally:
            worker.stop()
            try:
                await asyncio.wait_for(task, timeout=STOP_GRACE_SECONDS)
            except TimeoutError:
                logger.warning("sync_worker_cancelled_at_shutdown")
