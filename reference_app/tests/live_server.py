"""A real ``pricing-service serve`` on a free port, for tests that need uvicorn in the path
(proxy headers, worker processes, signals). One helper, used by every such test; the process
itself runs under `liveproc`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from liveproc import LiveProcess, free_port, running

SERVER_SECRET = "live-server-test-secret-with-plenty-of-entropy-42"  # pragma: allowlist secret


@dataclass
class LiveServer:
    url: str
    process: LiveProcess

    def output(self) -> str:
        """Everything the server wrote so far."""
        return self.process.output()


@contextmanager
def live_server(
    database_url: str, *args: str, ready_path: str = "/health/live", **env: str
) -> Iterator[LiveServer]:
    """``pricing-service serve`` with APP_ENV=test on ``database_url``; ``env`` adds settings."""
    port = free_port()
    environment = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "JWT_SECRET": SERVER_SECRET,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    command = [sys.executable, "-m", "pricing_service.cli", "serve", "--port", str(port), *args]
    url = f"http://127.0.0.1:{port}"
    with running(
        command,
        name="pricing-service-serve",
        env=environment,
        ready_url=url + ready_path,
        stop_timeout=30,
    ) as server:
        yield LiveServer(url, server)
