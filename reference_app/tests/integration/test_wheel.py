"""The service's wheel, installed alone into a fresh environment, migrates and serves.

What a newcomer gets from `pip install` of the built wheel: no workspace, no lock, no development
tools, only the dependencies the package declares. `pricing-service migrate` must find the Alembic
revisions inside the installed package, and `serve` must answer `/health/ready` (the database at
the code's head). On SQLite always; on PostgreSQL when TEST_DATABASE_URL is set (CI's PostgreSQL
pass), in a schema of its own so the suite's tables are not touched.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from liveproc import ProcessError, free_port, run_to_end, running
from sqlalchemy import create_engine, make_url, pool, text
from staging.shipping import install_wheel_alone
from staging.smoke import setting_free_environment

from pricing_service.core.db import sync_url

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


def test_the_wheel_ships_the_service_and_no_test_double(wheel_program: Path) -> None:
    """Only the pricing_service package and its metadata: the fake marketplace (a development
    double, reference_app/dev/pricing_service_dev) stays out of what production installs."""
    [wheel] = (wheel_program.parents[2] / "dist").glob("pricing_service-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_levels = {name.split("/", 1)[0] for name in names}
    assert {t for t in top_levels if not t.endswith(".dist-info")} == {"pricing_service"}
    assert "pricing_service/core/errors.py" in names  # the listing is the real package
    assert "pricing_service/migrations/versions/0001_baseline.py" in names
    assert [name for name in names if "fake" in name.lower()] == []
    python = wheel_program.parent / "python"
    probe = "import importlib.util as u; print(u.find_spec('pricing_service_dev'))"
    result = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    assert result.stdout.strip() == "None"


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


def test_the_wheel_steps_the_schema_back_and_forth(wheel_program: Path, tmp_path: Path) -> None:
    """docs/deploy.md's Rollback: `migrate REVISION --downgrade`, then `migrate` to head again."""
    database = tmp_path / "rollback.db"
    env = setting_free_environment() | {
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
    }

    def revision() -> str:
        engine = create_engine(f"sqlite:///{database}", poolclass=pool.NullPool)
        with engine.connect() as connection:
            value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        engine.dispose()
        return str(value)

    run_to_end([wheel_program, "migrate"], env=env, cwd=tmp_path, timeout=180)
    head = revision()
    run_to_end([wheel_program, "migrate", "0005", "--downgrade"], env=env, cwd=tmp_path)
    assert revision() == "0005"
    with pytest.raises(ProcessError, match="--downgrade needs the revision"):
        run_to_end([wheel_program, "migrate", "--downgrade"], env=env, cwd=tmp_path)
    run_to_end([wheel_program, "migrate"], env=env, cwd=tmp_path, timeout=180)
    assert revision() == head
