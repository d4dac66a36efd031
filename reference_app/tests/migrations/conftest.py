"""An empty database per test for the Alembic gate, wired into pytest-alembic's fixtures.

SQLite: a fresh file per test. PostgreSQL (``TEST_DATABASE_URL``, its database per xdist
worker): a dedicated schema, ``migrations_gate``, dropped and recreated per test and put first on
the search path, so these tests never touch the ``public`` schema that the rest of the suite
migrates once per session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config as AlembicConfig
from pytest_alembic.config import Config
from sqlalchemy import Engine, create_engine, event, pool, text

from pricing_service.core.db import alembic_config as service_alembic_config
from pricing_service.core.db import sync_url
from pricing_service.settings import DEV_TOKEN_ENCRYPTION_KEY
from tests.databases import postgres_url

GATE_SCHEMA = "migrations_gate"


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # as the service's own connections do
    cursor.close()


def empty_database(tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database (see the module docstring); disposed afterwards."""
    url = postgres_url()
    if url is not None:
        admin = create_engine(sync_url(url), poolclass=pool.NullPool)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {GATE_SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {GATE_SCHEMA}"))
        engine = create_engine(
            sync_url(url),
            poolclass=pool.NullPool,
            connect_args={"options": f"-csearch_path={GATE_SCHEMA}"},
        )
        yield engine
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {GATE_SCHEMA} CASCADE"))
        admin.dispose()
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'migrations.db'}", poolclass=pool.NullPool)
    event.listen(engine, "connect", _sqlite_foreign_keys)
    yield engine
    engine.dispose()


def gate_config(engine: Engine, script_location: Path | None = None) -> Config:
    """pytest-alembic's config: the service's alembic.ini, optionally another versions tree."""
    url = engine.url.render_as_string(hide_password=False)
    config: AlembicConfig = service_alembic_config(url, (DEV_TOKEN_ENCRYPTION_KEY,))
    if script_location is not None:
        config.set_main_option("script_location", str(script_location))
    return Config(alembic_config=config)


@pytest.fixture
def alembic_engine(tmp_path: Path) -> Iterator[Engine]:
    yield from empty_database(tmp_path)


@pytest.fixture
def alembic_config(alembic_engine: Engine) -> Config:
    return gate_config(alembic_engine)
