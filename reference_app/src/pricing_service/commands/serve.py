"""``pricing-service serve``: run the API with uvicorn (httptools + uvloop).

With ``--workers N`` (N > 1) a supervisor process runs N worker processes. When one of them dies
(killed, crashed, or failing its start) the supervisor stops the others and ``serve`` exits
non-zero with one line naming it: the platform (systemd, Kubernetes) restarts the service and
sees the failure, instead of a service that silently runs short of workers or exits 0.

Proxy headers are not uvicorn's business here: the app resolves the client's address itself,
from trusted proxies only (FORWARDED_ALLOW_IPS, bootstrap/middleware.py).
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from pricing_service.commands import CommandError
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


class FailFastSupervisor(Multiprocess):
    """uvicorn's supervisor, except that a worker that dies stops the server instead of being
    replaced in silence."""

    died: tuple[int | None, int | None] | None = None

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for process in self.processes:
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # a worker that stopped answering its health check is hung
            process.join()
            self.died = (process.pid, process.exitcode)
            self.should_exit.set()
            return


def handle(args: argparse.Namespace, settings: Settings) -> int:
    # Settings were validated by the caller; each worker process builds its app from them.
    if args.workers < 1:
        raise CommandError("--workers: at least 1")
    config = uvicorn.Config(
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
        proxy_headers=False,
        server_header=False,
    )
    with multiprocess_metrics(settings.prometheus_multiproc_dir, args.workers):
        if args.workers == 1:
            server = uvicorn.Server(config)
            server.run()
            return 0 if server.started else 3  # uvicorn's STARTUP_FAILURE
        supervisor = FailFastSupervisor(config, sockets=[config.bind_socket()])
        supervisor.run()
    if supervisor.died is not None:
        pid, code = supervisor.died
        raise CommandError(f"API worker {pid} died (exit code {code}); stopped the others")
    return 0
