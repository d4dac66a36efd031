"""Request sessions: safe methods read in autocommit; idle pooled connections are tested first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session as SyncSession

from pricing_service.core import db as db_module
from pricing_service.core.deps import Session
from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.integration.test_pricing_products import NEW_PRODUCT


def _app_with_probe(settings: Settings) -> FastAPI:
    app = create_app(settings)

    async def probe(session: Session) -> dict[str, Any]:
        await session.execute(text("SELECT 1"))
        bind = session.bind
        assert isinstance(bind, AsyncEngine)
        raw = await (await session.connection()).get_raw_connection()
        info = getattr(raw.driver_connection, "info", None)  # psycopg only
        return {
            "isolation": bind.get_execution_options().get("isolation_level"),
            "in_transaction": None if info is None else info.transaction_status != 0,
        }

    app.add_api_route("/probe", probe, methods=["GET", "POST"])
    return app


def test_safe_methods_read_in_autocommit_and_others_in_a_transaction(
    settings: Settings, database_url: str
) -> None:
    on_postgresql = database_url.startswith("postgresql")
    with TestClient(_app_with_probe(settings)) as client:
        read, write = client.get("/probe").json(), client.post("/probe").json()
    assert read == {"isolation": "AUTOCOMMIT", "in_transaction": False if on_postgresql else None}
    assert write == {"isolation": None, "in_transaction": True if on_postgresql else None}


@pytest.mark.postgres("a server whose backends can be terminated")
def test_connections_killed_while_idle_are_replaced_before_use(
    settings: Settings,
    db: SyncSession,
    sync_engine: Engine,
    auth_headers: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both pools: the engine's (the session check, the writes) and psycopg's (the product
    reads, ADR 0012). Every connection of the app is killed; none fails a request."""
    headers = auth_headers(role="admin")
    settings = settings.model_copy(update={"auth_session_cache_seconds": 0})  # reads users
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/products/1", headers=headers).status_code == 404
        killed = db.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
        db.commit()
        sync_engine.dispose()  # the test's own pooled connections were killed too
        assert len(killed) > db_module.READ_POOL_SIZE, "the app's connections were not found"
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        for _ in range(db_module.READ_POOL_SIZE + 1):  # every pooled read connection, once
            assert client.get("/api/products", headers=headers).status_code == 200
        created = client.post("/api/products", headers=headers, json=NEW_PRODUCT)
        assert created.status_code == 201, created.text
