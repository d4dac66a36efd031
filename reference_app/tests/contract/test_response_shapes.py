"""Real responses of the high-impact endpoints validate against the committed contract.

JWT-13 (login) and JWT-14 (refresh) of the JWT matrix, the guarded price update and the sync
endpoints: success and the problem answers a client must handle. A test skips, naming the
endpoint, only while that endpoint is not in the app yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from pricing_service.auth.models import User
from tests.conftest import TEST_PASSWORD
from tests.contract.shapes import ShapeChecker

LOGIN = "/api/auth/login"
REFRESH = "/api/auth/refresh"
PRODUCTS = "/api/products"
PRICE = "/api/products/{product_id}/price"
SYNC_RUN = "/api/sync/ml"
SYNC_JOBS = "/api/sync/jobs"
SYNC_JOB = "/api/sync/jobs/{job_id}"
SYNC_STATUS = "/api/sync/status"

AuthHeaders = Callable[..., dict[str, str]]


def _login(client: TestClient, shapes: ShapeChecker, user: User) -> dict[str, Any]:
    response = client.post(LOGIN, json={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = shapes.check(response, "POST", LOGIN)
    return body


def test_jwt13_login_success_matches_the_contract(
    client: TestClient, shapes: ShapeChecker, make_user: Callable[..., User]
) -> None:
    body = _login(client, shapes, make_user())
    assert body["token_type"] == "bearer"


def test_jwt13_login_failures_match_the_contract(
    client: TestClient, shapes: ShapeChecker, make_user: Callable[..., User]
) -> None:
    user = make_user()
    wrong = client.post(LOGIN, json={"email": user.email, "password": "not-the-password"})
    assert wrong.status_code == 401
    shapes.check(wrong, "POST", LOGIN)
    invalid = client.post(LOGIN, json={"email": "not-an-email"})
    assert invalid.status_code == 422
    shapes.check(invalid, "POST", LOGIN)


def test_jwt14_refresh_success_and_reuse_match_the_contract(
    client: TestClient, shapes: ShapeChecker, make_user: Callable[..., User]
) -> None:
    first = _login(client, shapes, make_user())
    rotated = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    body = shapes.check(rotated, "POST", REFRESH)
    assert body["refresh_token"] != first["refresh_token"]

    reused = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    shapes.check(reused, "POST", REFRESH)


def _create_product(
    client: TestClient, shapes: ShapeChecker, headers: dict[str, str]
) -> dict[str, Any]:
    product = {
        "sku": "CONTRACT-1",
        "title": "Mate gourd",
        "currency": "ARS",
        "cost": "60.00",
        "price": "100.00",
        "min_price": "50.00",
        "max_price": "200.00",
        "marketplace_item_id": "MLA1234567890",
    }
    response = client.post(PRODUCTS, json=product, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = shapes.check(response, "POST", PRODUCTS)
    return body


def test_price_update_success_matches_the_contract(
    client: TestClient, shapes: ShapeChecker, auth_headers: AuthHeaders
) -> None:
    shapes.route("PUT", PRICE)
    headers = auth_headers("admin")
    product = _create_product(client, shapes, headers)
    url = f"{PRODUCTS}/{product['id']}/price"
    response = client.put(
        url,
        json={"price": "110.00", "reason": "contract test"},
        headers={**headers, "If-Match": f'"{product["version"]}"'},
    )
    assert response.status_code == 200, response.text
    body = shapes.check(response, "PUT", PRICE)
    assert body["price"] == "110.00"


def test_price_update_problems_match_the_contract(
    client: TestClient, shapes: ShapeChecker, auth_headers: AuthHeaders
) -> None:
    shapes.route("PUT", PRICE)
    headers = auth_headers("admin")
    product = _create_product(client, shapes, headers)
    url = f"{PRODUCTS}/{product['id']}/price"
    change = {"price": "110.00", "reason": "contract test"}

    stale = client.put(url, json={**change, "version": product["version"] + 5}, headers=headers)
    assert stale.status_code == 412, stale.text
    assert shapes.check(stale, "PUT", PRICE)["current_version"] == product["version"]

    missing_version = client.put(url, json=change, headers=headers)
    assert missing_version.status_code == 428, missing_version.text
    shapes.check(missing_version, "PUT", PRICE)

    bad_price = client.put(url, json={**change, "price": "abc", "version": 1}, headers=headers)
    assert bad_price.status_code == 422, bad_price.text
    shapes.check(bad_price, "PUT", PRICE)

    unknown = client.put(f"{PRODUCTS}/999999/price", json={**change, "version": 1}, headers=headers)
    assert unknown.status_code == 404, unknown.text
    shapes.check(unknown, "PUT", PRICE)

    anonymous = client.put(url, json={**change, "version": 1})
    assert anonymous.status_code == 401
    shapes.check(anonymous, "PUT", PRICE)


def test_sync_endpoints_match_the_contract(
    client: TestClient, shapes: ShapeChecker, auth_headers: AuthHeaders
) -> None:
    for method, path in (
        ("POST", SYNC_RUN),
        ("GET", SYNC_JOBS),
        ("GET", SYNC_JOB),
        ("GET", SYNC_STATUS),
    ):
        shapes.route(method, path)
    headers = auth_headers("admin")

    status = client.get(SYNC_STATUS, headers=headers)
    assert status.status_code == 200, status.text
    shapes.check(status, "GET", SYNC_STATUS)

    started = client.post(SYNC_RUN, headers=headers)
    assert started.status_code == 202, started.text
    job = shapes.check(started, "POST", SYNC_RUN)
    assert started.headers["location"].endswith(f"/{job['id']}")

    one = client.get(started.headers["location"], headers=headers)
    assert one.status_code == 200, one.text
    shapes.check(one, "GET", SYNC_JOB)

    listing = client.get(SYNC_JOBS, headers=headers)
    assert listing.status_code == 200, listing.text
    shapes.check(listing, "GET", SYNC_JOBS)

    missing = client.get(f"{SYNC_JOBS}/999999", headers=headers)
    assert missing.status_code == 404, missing.text
    shapes.check(missing, "GET", SYNC_JOB)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", SYNC_STATUS), ("POST", SYNC_RUN), ("GET", SYNC_JOBS)],
)
def test_sync_endpoints_refuse_anonymous_calls_as_documented(
    client: TestClient, shapes: ShapeChecker, method: str, path: str
) -> None:
    shapes.route(method, path)
    response = client.request(method, path)
    assert response.status_code == 401
    shapes.check(response, method, path)


def test_the_checker_refuses_a_body_status_or_media_type_the_contract_does_not_promise(
    shapes: ShapeChecker,
) -> None:
    missing_field = httpx.Response(200, json={"access_token": "a", "token_type": "bearer"})
    with pytest.raises(AssertionError, match="'refresh_token' is a required property"):
        shapes.check(missing_field, "POST", LOGIN)
    wrong_type = httpx.Response(
        200,
        json={"access_token": "a", "refresh_token": "b", "token_type": "bearer", "expires_in": "x"},
    )
    with pytest.raises(AssertionError, match="at /expires_in"):
        shapes.check(wrong_type, "POST", LOGIN)
    with pytest.raises(AssertionError, match="does not document"):
        shapes.check(httpx.Response(418, json={}), "POST", LOGIN)
    with pytest.raises(AssertionError, match="answered text/plain"):
        shapes.check(httpx.Response(200, text="ok"), "POST", LOGIN)


@pytest.mark.parametrize("path", [PRODUCTS, SYNC_JOBS])
def test_a_cursor_beyond_int4_is_an_empty_page_not_a_server_error(
    client: TestClient, shapes: ShapeChecker, auth_headers: AuthHeaders, path: str
) -> None:
    """Found by `nox -s fuzz` on PostgreSQL: a 10-digit cursor overflowed an INTEGER bind."""
    shapes.route("GET", path)
    cursor = "9999999999" if path == PRODUCTS else "1"
    response = client.get(path, params={"cursor": cursor}, headers=auth_headers("admin"))
    assert response.status_code == 200, response.text
    assert shapes.check(response, "GET", path)["items"] == []
    if path == SYNC_JOBS:  # newest first: "id < cursor", so the huge cursor lists everything
        everything = client.get(path, params={"cursor": "9999999999"}, headers=auth_headers())
        assert everything.status_code == 200, everything.text
        shapes.check(everything, "GET", path)
