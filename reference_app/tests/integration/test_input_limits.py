"""Limits on every input (issue 22): one body-size limit for every route, no control characters
in strings, numbers bounded before any Decimal arithmetic, every pagination parameter bounded.
Each case here was a 500, a 200 on a 200 MiB body, or a silent write before."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from pricing_service.pricing.models import Product
from tests.problems import assert_problem

MiB = 1024 * 1024
CONTROL_CHARACTERS = ["\x00", "\x1b", "\x7f", "\x85", "\n", "\t"]


def _call(app: FastAPI, method: str, path: str, headers: dict[str, str]) -> list[Message]:
    """One raw ASGI request whose body must never be read: receive() fails the test."""
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError(f"{method} {path}: the body was read")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("192.0.2.1", 1234),
        "server": ("test", 80),
    }

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    asyncio.run(run())
    return sent


@pytest.mark.parametrize(
    ("method", "path", "declared"),
    [
        ("POST", "/api/auth/login", 200 * MiB),  # the case: unauthenticated, 200 MiB
        ("POST", "/api/auth/refresh", 65 * 1024),
        ("POST", "/api/auth/logout", MiB),
        ("POST", "/api/products", MiB),
        ("PATCH", "/api/products/1", MiB),
        ("PUT", "/api/products/1/price", MiB),
        ("POST", "/api/sync/ml", MiB),
        ("POST", "/api/prices/bulk", 5 * MiB),  # its own, larger limit is still a limit
        ("POST", "/no/such/route", MiB),
        ("GET", "/api/products", MiB),
    ],
)
def test_a_declared_oversized_body_is_413_before_it_is_read(
    app: FastAPI, method: str, path: str, declared: int
) -> None:
    headers = {"content-type": "application/json", "content-length": str(declared)}
    sent = _call(app, method, path, headers)
    start = sent[0]
    assert start["type"] == "http.response.start"
    assert start["status"] == 413
    response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert response_headers["content-type"] == "application/problem+json"
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert body["code"] == "payload_too_large"
    assert body["request_id"] == response_headers["x-request-id"]
    assert declared > body["max_bytes"] >= 64 * 1024


def _chunks(total: int) -> Iterator[bytes]:
    yield b'{"email": "a@example.com", "password": "'
    for _ in range(total // 8192):
        yield b"x" * 8192
    yield b'"}'


def test_a_chunked_oversized_body_is_413(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login",
        content=_chunks(MiB),  # no Content-Length: Transfer-Encoding: chunked
        headers={"Content-Type": "application/json"},
    )
    body = assert_problem(response, 413, "payload_too_large")
    assert body["max_bytes"] == 64 * 1024


def test_bodies_within_the_limit_still_arrive_whole_when_chunked(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    user = make_user()
    payload = json.dumps({"email": user.email, "password": "correct-horse-battery-staple"})
    response = client.post(
        "/api/auth/login",
        content=iter([payload[:10].encode(), payload[10:].encode()]),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


# --- strings: NUL and other control characters are 422, never a 500 or a stored row -----------


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=repr)
@pytest.mark.parametrize("name", ["q", "sku"])
def test_control_characters_in_query_strings_are_422(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], name: str, char: str
) -> None:
    response = client.get(
        "/api/products", params={name: f"mate{char}"}, headers=auth_headers("viewer")
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == f"#/query/{name}"


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=repr)
def test_control_characters_in_body_strings_are_422_and_write_nothing(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    make_product: Callable[..., Product],
    char: str,
) -> None:
    admin, manager = auth_headers("admin"), auth_headers("pricing_manager")
    product = make_product()
    created = client.post(
        "/api/products",
        headers=admin,
        json={
            "sku": "NUL-1",
            "title": f"Mate{char}cup",
            "currency": "ARS",
            "cost": "1.00",
            "price": "10.00",
            "min_price": "5.00",
            "max_price": "20.00",
        },
    )
    assert assert_problem(created, 422, "validation_failed")["errors"][0]["pointer"] == "#/title"
    patched = client.patch(
        f"/api/products/{product.id}", headers=admin, json={"title": f"x{char}y"}
    )
    assert_problem(patched, 422, "validation_failed")
    priced = client.put(
        f"/api/products/{product.id}/price",
        headers={**manager, "If-Match": '"1"'},
        json={"price": "110.00", "reason": f"promo{char}code"},
    )
    assert assert_problem(priced, 422, "validation_failed")["errors"][0]["pointer"] == "#/reason"
    bulk = client.post(
        "/api/prices/bulk",
        headers={**manager, "Idempotency-Key": f"nul-{ord(char)}"},
        json={"items": [{"product_id": product.id, "price": "110.00"}], "reason": f"r{char}s"},
    )
    assert_problem(bulk, 422, "validation_failed")
    listed = client.get("/api/products", headers=admin).json()["items"]
    assert [(p["title"], p["price"], p["version"]) for p in listed] == [
        (product.title, "100.00", 1)
    ]


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=repr)
@pytest.mark.parametrize("field", ["email", "password"])
def test_control_characters_in_credentials_are_422(
    client: TestClient, field: str, char: str
) -> None:
    password = "correct-horse-battery"  # pragma: allowlist secret
    body = {"email": "ana@example.com", "password": password}
    body[field] = body[field][:3] + char + body[field][3:]
    response = client.post("/api/auth/login", json=body)
    assert_problem(response, 422, "validation_failed")


# --- numbers: bounded before any Decimal arithmetic ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('"9e999999999"', "money_too_large"),
        ("9e999999999", "money_too_large"),
        ('"-9e999999999"', "money_too_large"),
        ("1e999999999999999999", "money_too_large"),
        ('"1e-999999999"', "money_too_many_decimals"),
        ("1e-999999999", "money_too_many_decimals"),
        ('"1' + "0" * 5000 + '"', "money_too_large"),
    ],
    ids=lambda value: value if len(value) < 30 else f"{len(value)} characters",
)
def test_huge_and_tiny_exponents_are_422(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    make_product: Callable[..., Product],
    raw: str,
    code: str,
) -> None:
    product = make_product()
    response = client.put(
        f"/api/products/{product.id}/price",
        headers={
            **auth_headers("pricing_manager"),
            "If-Match": '"1"',
            "Content-Type": "application/json",
        },
        content=f'{{"price": {raw}, "reason": "overflow"}}',
    )
    assert_problem(response, 422, code)


# --- pagination: every parameter has an upper bound -------------------------------------------


@pytest.mark.parametrize("offset", [10**30, 2**63, 2**31, 10_001])
def test_an_offset_beyond_its_bound_is_422(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], offset: int
) -> None:
    response = client.get(
        "/api/auth/users", params={"offset": offset}, headers=auth_headers("admin")
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "#/query/offset"


def test_every_pagination_parameter_is_bounded(app: FastAPI) -> None:
    unbounded = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                for option in options:
                    if option.get("type") == "integer" and "maximum" not in option:
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
                    if option.get("type") == "string" and not (
                        "maxLength" in option or "pattern" in option or "enum" in option
                    ):
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert unbounded == []
