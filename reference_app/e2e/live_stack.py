"""A real pricing service for the browser tests: migrated SQLite, demo data, the fake marketplace
and ``pricing-service serve`` with the in-process sync worker, each on a free local port.

Everything runs through the ``pricing-service`` command line, as a person would run it; the logs
of both servers go to the artifacts folder so a failure can be read afterwards.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from liveproc import free_port, run_to_end, running

APP_DIR = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CONSOLE_DIST = APP_DIR / "frontend" / "dist"
DEMO_ADMIN = "admin@example.com"
DEMO_PRODUCTS = 30
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0


class StackError(RuntimeError):
    """The service could not be started; the message says which step and where its log is."""


@dataclass(frozen=True)
class LiveStack:
    base_url: str
    marketplace_url: str
    admin_email: str
    admin_password: str

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10.0)

    def admin_headers(self) -> dict[str, str]:
        with self.api() as client:
            response = client.post(
                "/api/auth/login",
                json={"email": self.admin_email, "password": self.admin_password},
            )
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['access_token']}"}


# A development double: from this environment's pricing_service_dev, never the service's wheel.
FAKE_MARKETPLACE = (sys.executable, "-m", "pricing_service_dev", "fake-marketplace")


def _command() -> list[str]:
    """``pricing-service`` of this interpreter's environment (the nox session's, under nox)."""
    script = Path(sys.executable).with_name("pricing-service")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "pricing_service.cli"]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    return run_to_end([*_command(), *args], env=env, cwd=cwd)


def _demo_password(output: str) -> str:
    found = re.search(rf"{re.escape(DEMO_ADMIN)} password (\S+)", output)
    if found is None:
        raise StackError(f"users ensure-demo printed no password for {DEMO_ADMIN}: {output!r}")
    return found.group(1)


@contextmanager
def live_stack(workdir: Path, logs: Path) -> Iterator[LiveStack]:
    """Migrate, seed and serve; yields when the API and the fake marketplace answer."""
    if not (CONSOLE_DIST / "index.html").is_file():
        raise StackError(f"{CONSOLE_DIST} is not built: run `nox -s e2e` (it builds the console)")
    api_port, marketplace_port = free_port(), free_port()
    marketplace_url = f"http://127.0.0.1:{marketplace_port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ML_", "SYNC_", "JWT_"))},
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
        "CONSOLE_DIR": str(CONSOLE_DIST),
        "ML_API_BASE_URL": marketplace_url,
        "SYNC_WORKER_IN_PROCESS": "true",
        "SYNC_SCHEDULE_SECONDS": "0",  # only the person's click starts a sync
        "SYNC_POLL_SECONDS": "0.2",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    logs.mkdir(parents=True, exist_ok=True)
    _run(["migrate"], env, workdir)
    _run(["seed", "--products", str(DEMO_PRODUCTS)], env, workdir)
    password = _demo_password(_run(["users", "ensure-demo"], env, workdir))
    base_url = f"http://127.0.0.1:{api_port}"
    with ExitStack() as servers:
        for name, command, ready_url in (
            (
                "fake-marketplace",
                [*FAKE_MARKETPLACE, "--port", str(marketplace_port)],
                f"{marketplace_url}/_fake/health",
            ),
            (
                "pricing-service",
                [*_command(), "serve", "--port", str(api_port)],
                f"{base_url}/health/ready",
            ),
        ):
            servers.enter_context(
                running(
                    command,
                    name=name,
                    env=env,
                    cwd=workdir,
                    log_dir=logs,
                    ready_url=ready_url,
                    timeout=START_TIMEOUT_SECONDS,
                    stop_timeout=STOP_TIMEOUT_SECONDS,
                )
            )
        yield LiveStack(base_url, marketplace_url, DEMO_ADMIN, password)


def chromium_path() -> str | None:
    """The Chromium to drive: Playwright's own with E2E_BROWSER=playwright (None), else Debian's.

    `nox -s e2e` installs the one it picks: `playwright install --with-deps chromium` in CI on
    GitHub's runners, Debian's `chromium` package (E2E_CHROMIUM) on machines without downloads.
    """
    if os.environ.get("E2E_BROWSER") == "playwright":
        return None
    path = os.environ.get("E2E_CHROMIUM") or CHROMIUM
    if not Path(path).exists():
        raise StackError(f"{path} is missing: `apt-get install -y chromium` (as root)")
    return path
