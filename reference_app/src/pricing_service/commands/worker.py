"""``pricing-service worker``: run the MercadoLibre sync worker (claims jobs from the database).

Run as many as you like on as many machines: jobs are claimed with a lease (FOR UPDATE SKIP
LOCKED on PostgreSQL). SIGTERM or Ctrl-C finishes the requests in flight, records them and
releases the job for another worker. ``--once`` runs the queued jobs and exits.

With METRICS_ENABLED (or ``--metrics-port``) the worker serves Prometheus metrics at /metrics
(prometheus-client's own HTTP server, in a thread): its item counters, and the sync gauges it
refreshes from the database. Scrape it as the job ``pricing-sync-worker`` (policies/slo.yaml).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvloop
from prometheus_client import start_http_server
from sqlalchemy.exc import SQLAlchemyError

from pricing_service.commands import CommandError
from pricing_service.core.db import (
    create_engine,
    head_revisions,
    schema_is_current,
    session_factory,
)
from pricing_service.core.logging import get_logger
from pricing_service.settings import Settings
from pricing_service.sync.credentials import CredentialsKeyError
from pricing_service.sync.worker import open_worker

logger = get_logger(__name__)
DEFAULT_METRICS_PORT = 9101


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
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help=f"serve /metrics on this port; 0: never (default {DEFAULT_METRICS_PORT} when "
        "METRICS_ENABLED is on, else none)",
    )
    parser.add_argument(
        "--metrics-host", default="127.0.0.1", help="interface for /metrics (default 127.0.0.1)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if args.worker_id is not None and not 0 < len(args.worker_id) <= 64:
        raise CommandError("--worker-id: 1 to 64 characters")
    port = args.metrics_port
    if port is None:
        port = DEFAULT_METRICS_PORT if settings.serves_metrics else 0
    if not 0 <= port <= 65_535:
        raise CommandError("--metrics-port: 0 to 65535")
    with metrics_server(args.metrics_host, port):
        return uvloop.run(_serve(settings, once=args.once, worker_id=args.worker_id))


@contextmanager
def metrics_server(host: str, port: int) -> Iterator[None]:
    """prometheus-client's exposition server for this process, unless ``port`` is 0."""
    if port == 0:
        yield
        return
    try:
        server, thread = start_http_server(port, addr=host)
    except OSError as error:
        reason = error.strerror or str(error)
        raise CommandError(f"--metrics-port: cannot serve on {host}:{port}: {reason}") from None
    logger.info("worker_metrics_serving", url=f"http://{host}:{port}/metrics")
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


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
    except CredentialsKeyError as error:
        raise CommandError(str(error)) from None
    finally:
        await engine.dispose()
    return 0
