"""Smoke tests of the service core: startup, health, CORS, problem+json, request ids, logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from pricing_service.core.state import state_of
from pricing_service.main import create_app
from pricing_service.settings import Settings
from pricing_service.state import AppState
from tests.problems import assert_problem


def test_liveness(client: TestClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_when_migrated(client: TestClient) -> None:
    assert client.get("/health/ready").json() == {"status": "ok"}


def test_readiness_fails_when_database_unreachable(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        body = assert_problem(client.get("/health/ready"), 503, "service_unavailable")
    assert "unreachable" in body["detail"]


def test_readiness_fails_when_schema_behind(
    make_settings: Callable[..., Settings], tmp_path: Any
) -> None:
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        body = assert_problem(client.get("/health/ready"), 503, "service_unavailable")
    assert "pricing-service migrate" in body["detail"]


def test_unknown_route_is_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/no/such/route"), 404, "not_found")
    assert body["instance"] == "/no/such/route"


def test_wrong_method_is_problem(client: TestClient) -> None:
    response = client.delete("/health/live")
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


class Body(BaseModel):
    price: int = Field(gt=0)


@pytest.fixture
def app_with_extra_routes(app: FastAPI) -> FastAPI:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.post("/echo")
    async def echo(body: Body, limit: int = 10) -> dict[str, int]:
        return {"price": body.price, "limit": limit}

    return app


def test_unhandled_error_is_500_problem_without_internals(
    app_with_extra_routes: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(app_with_extra_routes, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"Origin": "http://localhost:5173"})
    body = assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    error = next(r for r in records if r["event"] == "unhandled_error")
    assert error["request_id"] == body["request_id"]
    assert error["level"] == "error"
    assert "RuntimeError" in json.dumps(error["exception"])


def test_validation_error_lists_pointers(app_with_extra_routes: FastAPI) -> None:
    with TestClient(app_with_extra_routes) as client:
        response = client.post("/echo?limit=x", json={"price": -1})
    body = assert_problem(response, 422, "validation_failed")
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers == {"#/price", "#/query/limit"}


def test_body_that_is_not_json_is_422(app_with_extra_routes: FastAPI) -> None:
    with TestClient(app_with_extra_routes) as client:
        response = client.post(
            "/echo", content=b"{not json", headers={"content-type": "application/json"}
        )
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abcdef0123456789", True),
        ("req-2026-11-26:42", True),
        ("short", False),
        ("bad id with spaces", False),
        ("x" * 200, False),
        ("inject\r\nX-Evil: 1", False),
    ],
)
def test_request_id_kept_only_when_well_formed(
    client: TestClient, incoming: str, kept: bool
) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": incoming})
    returned = response.headers["x-request-id"]
    assert (returned == incoming) is kept
    assert 8 <= len(returned) <= 128


def test_request_id_generated_when_absent(client: TestClient) -> None:
    first = client.get("/health/live").headers["x-request-id"]
    second = client.get("/health/live").headers["x-request-id"]
    assert first != second
    assert len(first) == 32


def test_log_lines_are_json_with_request_id(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(state_of(app, AppState).settings)) as client:
        client.get("/health/live", headers={"X-Request-ID": "trace-me-123456"})
        client.get("/health/live")
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert {"startup", "shutdown"} <= {r["event"] for r in records}
    access = [r for r in records if r["event"] == "request"]
    assert len(access) == 2
    first = access[0]
    assert first["request_id"] == "trace-me-123456"
    assert first["route"] == "/health/live"
    assert first["status"] == 200
    assert first["method"] == "GET"
    assert isinstance(first["duration_ms"], float)
    assert first["timestamp"].endswith("Z")
    assert first["level"] == "info"
    assert first["logger"] == "pricing_service.access"
    assert access[1]["request_id"] != "trace-me-123456"  # context cleared between requests
    startup = next(r for r in records if r["event"] == "startup")
    assert "request_id" not in startup


def test_openapi_documents_problem_responses(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "Problem" in schema["components"]["schemas"]
    for item in schema["paths"].values():
        for operation in item.values():
            error = operation["responses"]["500"]["content"]
            assert "application/problem+json" in error
            assert error["application/problem+json"]["example"]["code"] == "internal_error"
