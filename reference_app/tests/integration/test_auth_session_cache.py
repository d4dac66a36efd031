"""The session cache in a running app: on only with PostgreSQL, and revocations still bite.

ADR 0009. The PostgreSQL cases run in CI's PostgreSQL pass (TEST_DATABASE_URL); on SQLite the
first test checks that the cache stays off, so every request asks the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from pricing_service.auth.models import User
from pricing_service.auth.session_cache import SessionCache
from pricing_service.core.state import state_of
from pricing_service.state import AppState

Condition = Callable[[], bool]


def _eventually(condition: Condition, what: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.01)


def _cache(app: FastAPI) -> SessionCache:
    return state_of(app, AppState).auth.sessions


NEEDS_NOTIFY = pytest.mark.postgres("SQLite has no LISTEN/NOTIFY")


def test_the_cache_is_on_with_postgresql_and_off_with_sqlite(
    app: FastAPI, client: TestClient, database_url: str, auth_headers: Callable[..., dict[str, str]]
) -> None:
    headers = auth_headers(role="viewer")
    if database_url.startswith("postgresql"):
        _eventually(lambda: _cache(app).listening, "the listener is connected")
        assert client.get("/api/auth/me", headers=headers).status_code == 200
        assert len(_cache(app)) == 1
    else:
        assert client.get("/api/auth/me", headers=headers).status_code == 200
        assert (_cache(app).listening, len(_cache(app))) == (False, 0)


@NEEDS_NOTIFY
def test_a_user_disabled_by_another_process_is_refused_within_moments(
    app: FastAPI,
    client: TestClient,
    db: Session,
    make_user: Callable[..., User],
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    user = make_user(role="viewer")
    headers = auth_headers(user=user)
    _eventually(lambda: _cache(app).listening, "the listener is connected")
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    assert len(_cache(app)) == 1
    # Another process (an operator's psql, `pricing-service users disable`): plain SQL.
    db.execute(text("UPDATE users SET is_active = false WHERE id = :id"), {"id": user.id})
    db.commit()
    _eventually(lambda: len(_cache(app)) == 0, "the notification emptied the cache")
    assert client.get("/api/auth/me", headers=headers).status_code == 401


@NEEDS_NOTIFY
def test_logout_fails_the_very_next_call_on_the_same_worker(
    app: FastAPI, client: TestClient, auth_headers: Callable[..., dict[str, str]]
) -> None:
    headers = auth_headers(role="viewer")
    _eventually(lambda: _cache(app).listening, "the listener is connected")
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


@NEEDS_NOTIFY
def test_the_cache_is_emptied_while_its_connection_is_down_then_comes_back(
    app: FastAPI, client: TestClient, db: Session, auth_headers: Callable[..., dict[str, str]]
) -> None:
    headers = auth_headers(role="viewer")
    cache = _cache(app)
    _eventually(lambda: cache.listening, "the listener is connected")
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    generation = cache.generation
    terminated = db.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query = 'LISTEN auth_changed' AND datname = current_database()"
        )
    ).all()
    db.commit()
    assert terminated, "the listener's connection was not found"
    # Off (emptied), then on again (emptied again): two generations later, listening, empty.
    _eventually(lambda: cache.generation >= generation + 2 and cache.listening, "reconnected")
    assert len(cache) == 0
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    assert len(cache) == 1
