"""Security headers on every answer (issue 22): nosniff, HSTS in production, no framing of the
API, and no caching of token responses. Errors from every layer carry them too."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from pricing_service.auth.models import User
from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.deployed import deployed

PASSWORD = "correct-horse-battery-staple"  # pragma: allowlist secret  # = tests/conftest.py
HSTS = "max-age=63072000; includeSubDomains"


def _answers(client: TestClient, email: str) -> dict[str, object]:
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    return {
        "login": login,
        "refresh": client.post(
            "/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
        ),
        "wrong password": client.post(
            "/api/auth/login",
            json={"email": email, "password": "wrong-password-123"},  # pragma: allowlist secret
        ),
        "health": client.get("/health/live"),
        "not found": client.get("/api/no-such-thing"),
        "validation": client.get("/api/products?limit=0"),
        "too large": client.post("/api/auth/login", content=b"x" * 70_000),
        "preflight": client.options(
            "/api/products",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "GET",
            },
        ),
    }


def test_every_answer_is_nosniff_and_unframeable(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    for name, response in _answers(client, make_user().email).items():
        headers = response.headers  # type: ignore[attr-defined]
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["content-security-policy"] == "frame-ancestors 'none'", name
        assert headers["x-frame-options"] == "DENY", name
        assert "strict-transport-security" not in headers, name  # not outside production


def test_token_responses_are_never_stored(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    answers = _answers(client, make_user().email)
    for name in ("login", "refresh", "wrong password"):
        assert answers[name].headers["cache-control"] == "no-store", name  # type: ignore[attr-defined]
    assert "cache-control" not in answers["health"].headers  # type: ignore[attr-defined]


@pytest.fixture
def production_client(
    make_settings: Callable[..., Settings], database_url: str
) -> Iterator[TestClient]:
    values = {**deployed("production"), "database_url": database_url}
    with TestClient(create_app(make_settings(**values)), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.postgres("production settings refuse SQLite")
def test_production_answers_carry_hsts(
    production_client: TestClient, make_user: Callable[..., User]
) -> None:
    for name, response in _answers(production_client, make_user().email).items():
        assert response.headers["strict-transport-security"] == HSTS, name  # type: ignore[attr-defined]
