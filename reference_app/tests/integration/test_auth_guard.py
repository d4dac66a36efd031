"""The guard itself: require() gives 401/403, and the JWT-11 route walk notices an open route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from pricing_service.auth.dependencies import require
from pricing_service.auth.models import User
from pricing_service.auth.permissions import Permission, permissions_for
from pricing_service.auth.schemas import Me
from pricing_service.auth.session_cache import Principal
from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.jwt_matrix.test_matrix import _methods_and_paths


def _app_with_probe_routes(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.post("/api/probe/{item_id}/run")
    async def guarded(
        item_id: int, user: Annotated[Principal, Depends(require(Permission.SYNC_RUN))]
    ) -> dict[str, int]:
        return {"item": item_id, "user": user.id}

    @app.get("/api/probe/open")
    async def forgotten() -> dict[str, str]:
        return {"oops": "no auth"}

    return app


def test_require_answers_401_then_403_then_200(
    settings: Settings, auth_headers: Callable[..., dict[str, str]]
) -> None:
    with TestClient(_app_with_probe_routes(settings)) as client:
        missing = client.post("/api/probe/7/run")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        denied = client.post("/api/probe/7/run", headers=auth_headers("viewer"))
        assert denied.status_code == 403
        assert denied.json()["required_permission"] == "sync:run"
        allowed = client.post("/api/probe/7/run", headers=auth_headers("pricing_manager"))
        assert allowed.status_code == 200
        assert allowed.json()["item"] == 7


def test_route_walk_sees_new_routes_and_fills_path_parameters(settings: Settings) -> None:
    found = _methods_and_paths(_app_with_probe_routes(settings))
    assert ("POST", "/api/probe/1/run") in found
    assert ("GET", "/api/probe/open") in found  # JWT-11 would report it: it answers 200
    with TestClient(_app_with_probe_routes(settings)) as client:
        assert client.get("/api/probe/open").status_code == 200


def test_me_answers_the_documented_body(
    client: TestClient, make_user: Callable[..., User], auth_headers: Callable[..., dict[str, str]]
) -> None:
    """GET /api/auth/me renders its body itself (orjson); it is ``Me``'s JSON, byte for byte."""
    user = make_user(email="ñandú@example.com", role="pricing_manager")
    response = client.get("/api/auth/me", headers=auth_headers(user=user))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = Me(
        id=user.id,
        email=user.email,
        role="pricing_manager",
        permissions=sorted(p.value for p in permissions_for("pricing_manager")),
        is_active=True,
    )
    assert response.content == expected.model_dump_json().encode()
