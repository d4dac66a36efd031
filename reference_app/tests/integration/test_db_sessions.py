"""Request sessions: safe methods read in autocommit; idle pooled connections are tested first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session as SyncSession

from pricing_service import db as db_module
from pricing_service.db import Session
from pricing_service.main import create_app
from pricing_service.settings import Settings


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
def test_a_connection_killed_while_idle_is_replaced_before_use(
    settings: Settings,
    db: SyncSession,
    auth_headers: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = auth_headers(role="viewer")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/products", headers=headers).status_code == 200
        killed = db.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query LIKE 'SELECT products.%'"
            )
        ).all()
        db.commit()
        assert killed, "the app's pooled connection was not found"
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert client.get("/api/products", headers=headers).status_code == 200
