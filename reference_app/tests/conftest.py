"""Shared fixtures: settings, a migrated database per test session, isolation per test,
an HTTP client, a sync session for factories, and the fake marketplace over HTTP.
See tests/README.md."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from pricing_service.auth.models import RefreshFamily, User
from pricing_service.auth.passwords import passwords_for
from pricing_service.auth.tokens import TokenCodec, TokenType, new_session_id
from pricing_service.core.db import alembic_config, sync_url
from pricing_service.core.settings import Environment
from pricing_service.core.time import utcnow
from pricing_service.main import create_app
from pricing_service.models import all_metadata
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings
from tests.databases import postgres_url
from tests.sync_support import FakeServer, start_fake, stop_fake


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """TEST_DATABASE_URL (PostgreSQL) when set, else a fresh SQLite file; migrated to head once.
    Under pytest-xdist each worker has its own: a SQLite file each, or `<name>_gw0`, ..."""
    url = postgres_url() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
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
        for table in reversed(all_metadata().sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _postgres_marker(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.postgres("why")`` skips on SQLite, saying why; CI's PostgreSQL pass
    (TEST_DATABASE_URL, in .ci/run) runs these tests."""
    marker = request.node.get_closest_marker("postgres")
    if marker is None or request.getfixturevalue("database_url").startswith("postgresql"):
        return
    pytest.skip(f"needs PostgreSQL (set TEST_DATABASE_URL): {marker.args[0]}")


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
        return Settings(_env_file=None, **values)

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


# --- auth factories (auth domain): users and access tokens without the argon2 or login cost ---

TEST_PASSWORD = "correct-horse-battery-staple"  # pragma: allowlist secret


@pytest.fixture
def make_user(db: Session, settings: Settings) -> Callable[..., User]:
    """Create a user: ``make_user(email=None, role="viewer", password=None, is_active=True)``.

    The password defaults to ``TEST_PASSWORD``; the email to a unique address.
    """
    counter = iter(range(1, 1_000_000))

    def make(
        email: str | None = None,
        role: str = "viewer",
        password: str | None = None,
        is_active: bool = True,
    ) -> User:
        user = User(
            email=email or f"user{next(counter)}-{uuid.uuid4().hex[:8]}@example.com",
            password_hash=passwords_for(settings).hash_blocking(password or TEST_PASSWORD),
            role=role,
            is_active=is_active,
        )
        db.add(user)
        db.commit()
        return user

    return make


@pytest.fixture
def auth_headers(
    db: Session, settings: Settings, make_user: Callable[..., User]
) -> Callable[..., dict[str, str]]:
    """``auth_headers(role="admin", user=None)`` → ``{"Authorization": "Bearer <access>"}``.

    Opens a session (refresh family) for the user and mints its access token directly.
    """
    codec = TokenCodec(settings)

    def make(role: str = "admin", user: User | None = None) -> dict[str, str]:
        user = user or make_user(role=role)
        family = RefreshFamily(id=new_session_id(), user_id=user.id, created_at=utcnow())
        db.add(family)
        db.commit()
        token = codec.encode(TokenType.ACCESS, user.id, family.id).token
        return {"Authorization": f"Bearer {token}"}

    return make


_SKUS = itertools.count(1)


@pytest.fixture
def make_product(db: Session) -> Callable[..., Product]:
    """``make_product(**fields)``: price 100.00 within [50.00, 200.00], version 1, ARS."""

    def make(**fields: Any) -> Product:
        number = next(_SKUS)
        values: dict[str, Any] = {
            "sku": f"SKU-{number:05d}",
            "title": f"Product {number}",
            "currency": "ARS",
            "cost": Decimal("60.00"),
            "price": Decimal("100.00"),
            "min_price": Decimal("50.00"),
            "max_price": Decimal("200.00"),
            "version": 1,
            "updated_at": utcnow(),
            "created_at": utcnow(),
        }
        values.update(fields)
        product = Product(**values)
        db.add(product)
        db.commit()
        return product

    return make


@pytest.fixture(scope="session")
def fake_server_process() -> Iterator[FakeServer]:
    """One fake marketplace (`pricing-service fake-marketplace`) per test run."""
    server = start_fake()
    yield server
    stop_fake(server)


@pytest.fixture
def fake_server(fake_server_process: FakeServer) -> FakeServer:
    """The fake marketplace over HTTP, reset to its launch state for this test."""
    fake_server_process.reset()
    return fake_server_process
