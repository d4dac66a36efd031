"""The service's wheel, installed alone into a fresh environment, migrates and serves.

What a newcomer gets from `pip install` of the built wheel: no workspace, no lock, no development
tools, only the dependencies the package declares. `pricing-service migrate` must find the Alembic
revisions inside the installed package, and `serve` must answer `/health/ready` (the database at
the code's head). On SQLite always; on PostgreSQL when TEST_DATABASE_URL is set (CI's PostgreSQL
pass), in a schema of its own so the suite's tables are not touched.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from liveproc import free_port, run_to_end, running
from sqlalchemy import create_engine, make_url, pool, text
from staging.shipping import install_wheel_alone
from staging.smoke import setting_free_environment

from pricing_service.db import sync_url

SCHEMA = "wheel_check"


@pytest.fixture(scope="module")
def wheel_program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pricing-service` of a fresh venv holding the built wheel and its declared dependencies."""
    return install_wheel_alone(tmp_path_factory.mktemp("wheel"))


def migrate_serve_and_probe(program: Path, database_url: str, workdir: Path) -> dict[str, object]:
    """Migrate, start `serve`, wait for /health/ready; its JSON body. The server is stopped."""
    env = setting_free_environment() | {"APP_ENV": "development", "DATABASE_URL": database_url}
    run_to_end([program, "migrate"], env=env, cwd=workdir, timeout=180)
    port = free_port()
    url = f"http://127.0.0.1:{port}/health/ready"
    command: list[str | Path] = [program, "serve", "--port", str(port)]
    with running(command, env=env, cwd=workdir, log_dir=workdir, ready_url=url, timeout=60.0):
        body: dict[str, object] = httpx.get(url, timeout=5.0).json()
    return body


def test_the_environment_holds_the_installed_package_only(wheel_program: Path) -> None:
    """Not the sources (an editable install would hide a missing file), no development tools."""
    python = wheel_program.parent / "python"
    probe = (
        "import importlib.util as u, pricing_service as p; print(p.__file__, u.find_spec('pytest'))"
    )
    result = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    location, pytest_spec = result.stdout.split()
    assert Path(location).is_relative_to(wheel_program.parent.parent)
    assert "site-packages" in location
    assert pytest_spec == "None"


def test_the_wheel_alone_migrates_and_serves_on_sqlite(wheel_program: Path, tmp_path: Path) -> None:
    body = migrate_serve_and_probe(wheel_program, f"sqlite:///{tmp_path / 'wheel.db'}", tmp_path)
    assert body == {"status": "ok"}


@pytest.fixture
def own_schema(database_url: str) -> Iterator[str]:
    """DATABASE_URL of an empty schema that only this test uses (dropped afterwards)."""
    engine = create_engine(sync_url(database_url), poolclass=pool.NullPool)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


@pytest.mark.postgres("the wheel's migrations and readiness on PostgreSQL")
def test_the_wheel_alone_migrates_and_serves_on_postgresql(
    wheel_program: Path, own_schema: str, tmp_path: Path
) -> None:
    body = migrate_serve_and_probe(wheel_program, own_schema, tmp_path)
    assert body == {"status": "ok"}
