"""Shared fixtures: settings, a migrated database per test session, isolation per test,
an HTTP client and a sync session for factories. See tests/README.md."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from pricing_service.db import Base, alembic_config, sync_url
from pricing_service.main import create_app
from pricing_service.models import import_all_models
from pricing_service.settings import Environment, Settings

import_all_models()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL (PostgreSQL) when set, else a fresh SQLite file; migrated to head once."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    if url.startswith("postgresql"):
        engine = create_engine(sync_url(url))
        with engine.begin() as connection:  # a test database: start from an empty schema
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def sync_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _isolate_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that touches the database starts from empty tables (migrations stay)."""
    yield
    if "database_url" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("sync_engine")
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    """Settings for the test environment, with keyword overrides."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "app_env": Environment.TEST,
            "database_url": database_url,
            "log_format": "json",
            "log_level": "INFO",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client on the app, lifespan included; server errors come back as 500 responses."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def db(sync_engine: Engine) -> Iterator[Session]:
    """A sync session on the same database, for factories and assertions."""
    with sessionmaker(sync_engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def app_root() -> Path:
    return Path(__file__).resolve().parents[1]
