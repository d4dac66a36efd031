"""``pricing-service serve``: run the API with uvicorn (httptools + uvloop)."""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

from pricing_service.observability.multiprocess import multiprocess_metrics
from pricing_service.settings import Settings


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the HTTP API", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    # Settings were validated by the caller; each worker process builds its app from them.
    with multiprocess_metrics(settings.prometheus_multiproc_dir, args.workers):
        uvicorn.run(
            "pricing_service.main:app_factory",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            access_log=False,
            http="httptools",
            loop="uvloop",
            timeout_graceful_shutdown=20,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            server_header=False,
        )
    return 0
