"""``pricing-service worker``: run the MercadoLibre sync worker (claims jobs from the database).

Run as many as you like on as many machines: jobs are claimed with a lease (FOR UPDATE SKIP
LOCKED on PostgreSQL). SIGTERM or Ctrl-C finishes the requests in flight, records them and
releases the job for another worker. ``--once`` runs the queued jobs and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

import uvloop
from sqlalchemy.exc import SQLAlchemyError

from pricing_service.cli import CommandError
from pricing_service.db import create_engine, head_revisions, schema_is_current, session_factory
from pricing_service.observability.logging import get_logger
from pricing_service.settings import Settings
from pricing_service.sync.worker import open_worker

logger = get_logger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "worker", help="run the MercadoLibre sync worker", description=__doc__
    )
    parser.add_argument(
        "--once", action="store_true", help="run the queued jobs, then exit instead of polling"
    )
    parser.add_argument(
        "--worker-id", default=None, help="name in job leases and logs (default host:pid:random)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if args.worker_id is not None and not 0 < len(args.worker_id) <= 64:
        raise CommandError("--worker-id: 1 to 64 characters")
    return uvloop.run(_serve(settings, once=args.once, worker_id=args.worker_id))


async def _serve(settings: Settings, *, once: bool, worker_id: str | None) -> int:
    engine = create_engine(settings.database_url)
    try:
        try:
            current = await schema_is_current(engine, head_revisions(settings.database_url))
        except (SQLAlchemyError, OSError) as error:
            raise CommandError(f"cannot reach the database ({type(error).__name__})") from None
        if not current:
            raise CommandError("the database schema is not at head: run `pricing-service migrate`")
        async with open_worker(settings, session_factory(engine), worker_id=worker_id) as worker:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, worker.stop)
            if once:
                ran = await worker.drain()
                logger.info("sync_worker_drained", jobs=ran)
            else:
                await worker.run()
    finally:
        await engine.dispose()
    return 0
