"""A real ``pricing-service serve`` on a free port, for tests that need uvicorn in the path
(proxy headers, worker processes, signals). One helper, used by every such test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

SERVER_SECRET = "live-server-test-secret-with-plenty-of-entropy-42"  # pragma: allowlist secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the server wrote so far (a file: a pipe nobody reads would block it)."""
        return self.log.read_text(errors="replace")


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
    log = Path(tempfile.mkstemp(prefix="pricing-service-serve-", suffix=".log")[1])
    with log.open("wb") as sink:
        server = subprocess.Popen(  # our own CLI, fixed arguments
            command, env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    running = LiveServer(f"http://127.0.0.1:{port}", server, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"pricing-service serve exited with {server.returncode}: {running.output()}"
                )
            try:
                if httpx.get(running.url + ready_path, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("pricing-service serve did not answer within 30 s")
            time.sleep(0.2)
        yield running
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        log.unlink(missing_ok=True)
