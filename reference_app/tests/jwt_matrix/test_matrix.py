"""The seed's JWT refactor test matrix, JWT-01..JWT-15, one test per ID."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, WebSocketRoute

from pricing_service.auth.models import User
from pricing_service.auth.public_routes import PUBLIC_PATHS
from pricing_service.auth.tokens import TokenType
from pricing_service.core.time import utcnow
from pricing_service.settings import Settings
from tests.jwt_matrix.conftest import TEST_PASSWORD, assert_unauthorized, bearer

pytestmark = pytest.mark.jwt_matrix

_PATH_PARAM = re.compile(r"\{[^}]+\}")
TOKEN_RESPONSE_KEYS = {"access_token", "refresh_token", "token_type", "expires_in"}


def test_jwt_01_login_success(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user(email="ana@example.com")
    response = client.post(
        "/api/auth/login", json={"email": "ana@example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"]
    assert body["refresh_token"]
    assert body["access_token"] != body["refresh_token"]
    me = client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.json()["id"] == user.id


def test_jwt_02_login_invalid_password(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    response = client.post(
        "/api/auth/login", json={"email": user.email, "password": "not-the-password"}
    )
    assert_unauthorized(response, "invalid_credentials")
    assert "access_token" not in response.json()


def test_jwt_03_access_token_on_protected_endpoint(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    user = make_user(role="pricing_manager")
    tokens = login(user)
    response = client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {
        "id": user.id,
        "email": user.email,
        "role": "pricing_manager",
        "permissions": ["prices:write", "products:read", "sync:read", "sync:run"],
        "is_active": True,
    }


def test_jwt_04_missing_token_on_protected_endpoint(client: TestClient) -> None:
    assert_unauthorized(client.get("/api/auth/me"), "authentication_required")


def test_jwt_05_refresh_success(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    tokens = login(make_user())
    response = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    fresh = response.json()
    assert fresh["access_token"] != tokens["access_token"]
    assert fresh["refresh_token"] != tokens["refresh_token"]  # rotation
    assert client.get("/api/auth/me", headers=bearer(fresh["access_token"])).status_code == 200


def test_jwt_06_refresh_expired_or_invalid_token(
    client: TestClient,
    make_user: Callable[..., User],
    open_session: Callable[[User], str],
    mint: Callable[..., str],
    settings: Settings,
) -> None:
    user = make_user()
    sid = open_session(user)
    long_ago = utcnow() - timedelta(seconds=settings.refresh_token_ttl_seconds + 3600)
    expired = mint(TokenType.REFRESH, user, sid, now=long_ago)
    valid = mint(TokenType.REFRESH, user, sid)
    header, payload, signature = valid.split(".")
    tampered = ".".join((header, payload, signature[::-1]))
    for token in (expired, tampered, "not-a-jwt"):
        assert_unauthorized(client.post("/api/auth/refresh", json={"refresh_token": token}))


def test_jwt_07_wrong_token_type_for_refresh(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    tokens = login(make_user())
    response = client.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert_unauthorized(response)
    assert response.json()["detail"] == "not a refresh token"


def test_jwt_08_disabled_user_cannot_refresh(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., dict[str, Any]],
    db: Any,
) -> None:
    user = make_user()
    tokens = login(user)
    user.is_active = False  # disabled directly in the database, behind the service's back
    db.commit()
    response = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_unauthorized(response)


def test_jwt_09_access_expiration_enforced(
    client: TestClient,
    make_user: Callable[..., User],
    open_session: Callable[[User], str],
    mint: Callable[..., str],
    settings: Settings,
) -> None:
    user = make_user()
    past = utcnow() - timedelta(
        seconds=settings.access_token_ttl_seconds + settings.jwt_leeway_seconds + 5
    )
    expired = mint(TokenType.ACCESS, user, open_session(user), now=past)
    response = client.get("/api/auth/me", headers=bearer(expired))
    assert_unauthorized(response)
    assert response.json()["detail"] == "token expired"


def test_jwt_10_refresh_lifetime_longer_than_access(
    client: TestClient,
    make_user: Callable[..., User],
    open_session: Callable[[User], str],
    mint: Callable[..., str],
    settings: Settings,
) -> None:
    assert settings.refresh_token_ttl_seconds > settings.access_token_ttl_seconds
    user = make_user()
    sid = open_session(user)
    # Both issued just beyond the access lifetime (and its leeway) ago.
    issued = utcnow() - timedelta(
        seconds=settings.access_token_ttl_seconds + settings.jwt_leeway_seconds + 5
    )
    access = mint(TokenType.ACCESS, user, sid, now=issued)
    refresh = mint(TokenType.REFRESH, user, sid, now=issued)
    assert_unauthorized(client.get("/api/auth/me", headers=bearer(access)))
    response = client.post("/api/auth/refresh", json={"refresh_token": refresh})
    assert response.status_code == 200
    assert response.json()["expires_in"] == settings.access_token_ttl_seconds


def _methods_and_paths(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, concrete path) the app routes, path parameters filled with dummies.

    ``iter_route_contexts`` flattens included routers the way FastAPI itself resolves them.
    """
    found: list[tuple[str, str]] = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, _PATH_PARAM.sub("1", context.path or "")
        if isinstance(route, Mount):  # a mounted app: probe one path inside it
            found.append(("GET", path.rstrip("/") + "/1"))
        elif isinstance(route, WebSocketRoute):
            found.append(("WEBSOCKET", path))
        else:
            found.extend((m, path) for m in sorted((context.methods or {"GET"}) - {"HEAD"}))
    return found


def test_jwt_11_protected_endpoints_are_not_open(app: FastAPI, client: TestClient) -> None:
    """Walks app.routes: every route not on the public list answers 401 without a token."""
    private = [
        (method, path) for method, path in _methods_and_paths(app) if path not in PUBLIC_PATHS
    ]
    assert ("GET", "/api/auth/me") in private  # the walk really sees the app's routes
    open_routes = []
    for method, path in private:
        if method == "WEBSOCKET":
            open_routes.append(f"websocket {path}: not covered, give it a test and list it")
            continue
        response = client.request(method, path)
        if response.status_code != 401 or "www-authenticate" not in response.headers:
            open_routes.append(f"{method} {path} → {response.status_code}")
    assert not open_routes, (
        "routes answer without a token (add require(...) or list them in "
        f"auth/public_routes.py): {open_routes}"
    )


def test_jwt_12_permissions_still_enforced(
    client: TestClient, auth_headers: Callable[..., dict[str, str]]
) -> None:
    viewer = auth_headers("viewer")
    response = client.get("/api/auth/users", headers=viewer)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert body["required_permission"] == "users:manage"
    assert client.get("/api/auth/users", headers=auth_headers("admin")).status_code == 200


def test_jwt_13_login_contract_stability(
    client: TestClient, make_user: Callable[..., User], settings: Settings
) -> None:
    user = make_user()
    response = client.post("/api/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    body = response.json()
    assert set(body) == TOKEN_RESPONSE_KEYS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_ttl_seconds
    assert all(isinstance(body[k], str) for k in ("access_token", "refresh_token"))
    schema = client.get("/openapi.json").json()["components"]["schemas"]["TokenResponse"]
    assert set(schema["properties"]) == TOKEN_RESPONSE_KEYS
    assert set(schema["required"]) == {"access_token", "refresh_token", "expires_in"}


def test_jwt_14_refresh_contract_stability(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    tokens = login(make_user())
    response = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == TOKEN_RESPONSE_KEYS
    assert body["token_type"] == "bearer"
    request_schema = client.get("/openapi.json").json()["components"]["schemas"]["RefreshRequest"]
    assert request_schema["required"] == ["refresh_token"]


def test_jwt_15_cors_and_auth_compatibility(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], settings: Settings
) -> None:
    origin = settings.allowed_origins[0]
    preflight = client.options(
        "/api/auth/me",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    response = client.get("/api/auth/me", headers={"Origin": origin, **auth_headers("viewer")})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    denied = client.get("/api/auth/me", headers={"Origin": origin})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == origin  # the browser can read it
    assert "www-authenticate" in denied.headers["access-control-expose-headers"].lower()
