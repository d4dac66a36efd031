"""CORS by environment (ADR 0001): localhost in development, explicit origins elsewhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.deployed import deployed


def test_allowed_origin_gets_headers_and_exposed_request_id(client: TestClient) -> None:
    response = client.get("/health/live", headers={"Origin": "http://localhost:5173"})
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "X-Request-ID" in response.headers["access-control-expose-headers"]


def test_disallowed_origin_gets_no_allow_origin(client: TestClient) -> None:
    response = client.get("/health/live", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_preflight_with_authorization_from_allowed_origin(client: TestClient) -> None:
    response = client.options(
        "/health/live",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "authorization" in response.headers["access-control-allow-headers"].lower()
    assert "x-request-id" in response.headers


def test_preflight_from_disallowed_origin_is_refused(client: TestClient) -> None:
    response = client.options(
        "/health/live",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("env", ["staging", "production"])
def test_deployed_environment_allows_only_its_list(
    make_settings: Callable[..., Settings], env: str
) -> None:
    settings = make_settings(**deployed(env))
    with TestClient(create_app(settings)) as client:
        ok = client.get("/health/live", headers={"Origin": "https://console.acme.example"})
        local = client.get("/health/live", headers={"Origin": "http://localhost:5173"})
    assert ok.headers["access-control-allow-origin"] == "https://console.acme.example"
    assert "access-control-allow-origin" not in local.headers
