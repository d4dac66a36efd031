#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2024.10.9"]
# ///
"""Every gate of the kit, one session each. CI runs these same sessions.

`nox` runs every gate; `nox -l` lists them; `nox -s NAME -- ARGS` passes ARGS on.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).parent
APP = ROOT / "reference_app"
PYTHON_DIRS = ["src/govkit", "reference_app/src", "tests", "reference_app/tests", "noxfile.py"]


def install(session: nox.Session) -> None:
    """Install the kit and the reference app at the versions pinned in uv.lock."""
    session.run_install(
        "uv",
        "sync",
        "--locked",
        "--all-packages",
        "--no-progress",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over the whole repository."""
    install(session)
    args = session.posargs or ["."]
    session.run("ruff", "check", *args)
    session.run("ruff", "format", "--check", *args)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on govkit and the reference app."""
    install(session)
    args = session.posargs or ["src/govkit", "reference_app/src/pricing_service"]
    session.run("mypy", *args)


@nox.session
def tests(session: nox.Session) -> None:
    """pytest with coverage: govkit, then the reference app (SQLite, or TEST_DATABASE_URL)."""
    install(session)
    session.env["COVERAGE_FILE"] = str(ROOT / ".coverage")
    session.run("pytest", "--cov=govkit", "--cov-report=", "tests", *session.posargs)
    session.run(
        "pytest",
        "--cov=pricing_service",
        "--cov-append",
        "--cov-report=term-missing:skip-covered",
        "reference_app/tests",
        "-m",
        "not jwt_matrix",
        *session.posargs,
    )


@nox.session(default=False)
def serve(session: nox.Session) -> None:
    """Migrate, then run the reference API on its embedded SQLite default (development)."""
    install(session)
    session.chdir(APP)
    session.run("pricing-service", "migrate")
    session.run("pricing-service", "serve", *session.posargs)


if __name__ == "__main__":
    nox.main()
