"""Sessions end (issue 22): an absolute lifetime per refresh family, and users who can see their
sessions and end any of them after signing in again (ASVS 4.0.3 V3.3.2, V3.3.4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.auth.models import RefreshFamily, User
from pricing_service.core.time import as_utc
from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.problems import assert_problem

PASSWORD = "correct-horse-battery-staple"  # pragma: allowlist secret  # = tests/conftest.py
DAY = 86_400


def _login(client: TestClient, user: User, agent: str = "pytest") -> dict[str, Any]:
    response = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _sid(tokens: dict[str, Any]) -> str:
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    return str(claims["sid"])


def _age_sessions(db: Session, user: User, seconds: int) -> None:
    """As if every session of ``user`` had been opened ``seconds`` earlier."""
    db.expire_all()
    for family in db.scalars(select(RefreshFamily).where(RefreshFamily.user_id == user.id)):
        family.created_at = as_utc(family.created_at) - timedelta(seconds=seconds)
    db.commit()


# --- absolute lifetime ------------------------------------------------------------------------


def test_refresh_tokens_never_outlive_the_session(
    make_settings: Callable[..., Settings], make_user: Callable[..., User]
) -> None:
    settings = make_settings(session_max_age_seconds=DAY)  # refresh tokens live 7 days
    user = make_user()
    with TestClient(create_app(settings)) as client:
        tokens = _login(client, user)
    claims = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= DAY


def test_a_session_older_than_its_lifetime_cannot_be_refreshed(
    client: TestClient, make_user: Callable[..., User], db: Session, settings: Settings
) -> None:
    user = make_user()
    tokens = _login(client, user)
    rotated = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200  # each refresh does not start a new lifetime ...
    _age_sessions(db, user, settings.session_max_age_seconds)
    expired = client.post(
        "/api/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )
    body = assert_problem(expired, 401, "invalid_token")  # ... the login's does
    assert body["detail"] == "session expired"


def test_a_refresh_keeps_the_session_lifetime_of_its_login(
    make_settings: Callable[..., Settings], make_user: Callable[..., User], db: Session
) -> None:
    settings = make_settings(session_max_age_seconds=10 * DAY)
    user = make_user()
    with TestClient(create_app(settings)) as client:
        tokens = _login(client, user)
        _age_sessions(db, user, 9 * DAY)
        rotated = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    claims = jwt.decode(rotated.json()["refresh_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= DAY + 60  # not a fresh 7 days


# --- listing and ending sessions (ASVS 3.3.4) ------------------------------------------------


def test_users_list_their_own_active_sessions(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user, other = make_user(), make_user()
    laptop = _login(client, user, agent="laptop")
    phone = _login(client, user, agent="phone")
    _login(client, other)
    ended = _login(client, user, agent="ended")
    assert client.post("/api/auth/logout", headers=_bearer(ended)).status_code == 204

    response = client.get("/api/auth/sessions", headers=_bearer(phone))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    sessions = response.json()
    assert [(s["id"], s["user_agent"], s["current"]) for s in sessions] == [
        (_sid(phone), "phone", True),
        (_sid(laptop), "laptop", False),
    ]
    now = datetime.now(UTC)
    for session in sessions:
        created = datetime.fromisoformat(session["created_at"])
        expires = datetime.fromisoformat(session["expires_at"])
        assert created <= now < expires
        assert session["client_address"] == "testclient"


def test_ending_another_session_after_signing_in_again(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    stolen = _login(client, user, agent="stolen laptop")
    fresh = _login(client, user, agent="phone")  # signed in just now: may end other sessions
    response = client.delete(f"/api/auth/sessions/{_sid(stolen)}", headers=_bearer(fresh))
    assert response.status_code == 204
    assert client.get("/api/auth/me", headers=_bearer(stolen)).status_code == 401
    refresh = client.post("/api/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert refresh.status_code == 401
    assert client.get("/api/auth/me", headers=_bearer(fresh)).status_code == 200


def test_ending_every_other_session_at_once(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    others = [_login(client, user, agent=f"device {n}") for n in range(3)]
    current = _login(client, user)
    assert client.delete("/api/auth/sessions", headers=_bearer(current)).status_code == 204
    for tokens in others:
        assert client.get("/api/auth/me", headers=_bearer(tokens)).status_code == 401
    remaining = client.get("/api/auth/sessions", headers=_bearer(current)).json()
    assert [s["id"] for s in remaining] == [_sid(current)]


def test_ending_another_session_needs_a_recent_sign_in(
    client: TestClient, make_user: Callable[..., User], db: Session, settings: Settings
) -> None:
    user = make_user()
    other = _login(client, user)
    current = _login(client, user)
    _age_sessions(db, user, settings.session_reauthentication_seconds + 1)
    for response in (
        client.delete(f"/api/auth/sessions/{_sid(other)}", headers=_bearer(current)),
        client.delete("/api/auth/sessions", headers=_bearer(current)),
    ):
        body = assert_problem(response, 401, "reauthentication_required")
        challenge = response.headers["www-authenticate"]
        assert 'error="insufficient_user_authentication"' in challenge
        assert f"max_age={settings.session_reauthentication_seconds}" in challenge
        assert "sign in again" in body["detail"]
    assert client.get("/api/auth/me", headers=_bearer(other)).status_code == 200
    # Ending one's own session is a logout: no fresh sign-in needed.
    mine = client.delete(f"/api/auth/sessions/{_sid(current)}", headers=_bearer(current))
    assert mine.status_code == 204
    assert client.get("/api/auth/me", headers=_bearer(current)).status_code == 401


def test_nobody_ends_a_session_that_is_not_theirs(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    victim = _login(client, make_user())
    attacker = _login(client, make_user())
    response = client.delete(f"/api/auth/sessions/{_sid(victim)}", headers=_bearer(attacker))
    assert_problem(response, 404, "not_found")
    assert client.get("/api/auth/me", headers=_bearer(victim)).status_code == 200
    malformed = client.delete("/api/auth/sessions/not-a-session", headers=_bearer(attacker))
    assert_problem(malformed, 422, "validation_failed")


def test_tokens_never_travel_in_urls(
    client: TestClient, make_user: Callable[..., User], app: FastAPI
) -> None:  # ASVS 4.0.3 V3.1.1
    tokens = _login(client, make_user())
    in_query = client.get("/api/auth/me", params={"access_token": tokens["access_token"]})
    assert_problem(in_query, 401, "authentication_required")
    for path, item in app.openapi()["paths"].items():
        for operation in item.values():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert not {n for n in names if "token" in n}, path
