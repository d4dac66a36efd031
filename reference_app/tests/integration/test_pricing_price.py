"""PUT /api/products/{id}/price: guardrails, optimistic concurrency, history, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.core.time import utcnow
from pricing_service.main import create_app
from pricing_service.pricing.models import PriceChange, Product
from pricing_service.settings import Settings
from tests.integration.pricing_support import snapshot
from tests.problems import assert_problem


@pytest.fixture
def manager(auth_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return auth_headers("pricing_manager")


def put_price(client: TestClient, product_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.put(
        f"/api/products/{product_id}/price",
        json={"reason": "competitor dropped", **body},
        headers=headers,
    )


def test_price_change_writes_product_history_and_sync_mark_together(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    headers = {**manager, "If-Match": '"1"', "X-Request-ID": "req-price-change-0001"}
    response = put_price(client, product.id, headers, price="120.50")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["price"] == "120.50"
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'
    assert body["pending_sync_since"] is not None
    db.expire_all()
    change = db.scalars(select(PriceChange)).one()
    assert (change.old_price, change.new_price) == (Decimal("100.00"), Decimal("120.50"))
    assert change.reason == "competitor dropped"
    assert change.version == 2
    assert change.request_id == "req-price-change-0001"
    stored = db.get(Product, product.id)
    assert stored is not None
    assert stored.pending_sync_since is not None
    assert stored.pending_sync_since.tzinfo is not None


def test_a_second_change_keeps_the_first_pending_mark(
    client: TestClient, manager: dict[str, str], make_product: Any
) -> None:
    since = utcnow() - timedelta(minutes=5)
    product = make_product(pending_sync_since=since)
    body = put_price(client, product.id, {**manager, "If-Match": '"1"'}, price="110.00").json()
    assert body["pending_sync_since"] == since.isoformat()


def test_version_may_be_sent_in_the_body(
    client: TestClient, manager: dict[str, str], make_product: Any
) -> None:
    product = make_product()
    response = put_price(client, product.id, manager, price="90.00", version=1)
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_json_numbers_are_read_exactly(
    client: TestClient, manager: dict[str, str], make_product: Any
) -> None:
    product = make_product()
    response = client.put(
        f"/api/products/{product.id}/price",
        content=b'{"price": 100.1, "reason": "number", "version": 1}',
        headers={**manager, "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["price"] == "100.10"


def test_same_price_is_a_no_op(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    response = put_price(client, product.id, {**manager, "If-Match": '"1"'}, price="100")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert snapshot(db, product.id) == before


def test_missing_version_is_428(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    assert_problem(
        put_price(client, product.id, manager, price="110.00"), 428, "precondition_required"
    )
    star = put_price(client, product.id, {**manager, "If-Match": "*"}, price="110.00")
    assert_problem(star, 428, "precondition_required")
    assert snapshot(db, product.id) == before


@pytest.mark.parametrize(
    ("if_match", "version"),
    [('"7"', None), ('W/"1"', None), ('"0", "2"', None), (None, 4), ('"abc"', None)],
)
def test_stale_version_is_412_with_the_current_version(
    client: TestClient,
    manager: dict[str, str],
    make_product: Any,
    db: Session,
    if_match: str | None,
    version: int | None,
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    headers = {**manager, **({"If-Match": if_match} if if_match else {})}
    extra = {"version": version} if version is not None else {}
    response = put_price(client, product.id, headers, price="110.00", **extra)
    body = assert_problem(response, 412, "version_mismatch")
    assert body["current_version"] == 1
    assert response.headers["etag"] == '"1"'
    assert snapshot(db, product.id) == before


def test_if_match_list_containing_the_current_version_matches(
    client: TestClient, manager: dict[str, str], make_product: Any
) -> None:
    product = make_product()
    response = put_price(client, product.id, {**manager, "If-Match": '"9", "1"'}, price="90.00")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("if_match", "version"), [("1", None), ('"1"', 2), ('"1" "2"', None)])
def test_malformed_or_contradictory_if_match_is_400(
    client: TestClient,
    manager: dict[str, str],
    make_product: Any,
    db: Session,
    if_match: str,
    version: int | None,
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    extra = {"version": version} if version is not None else {}
    response = put_price(client, product.id, {**manager, "If-Match": if_match}, price="90", **extra)
    assert_problem(response, 400, "if_match_invalid")
    assert snapshot(db, product.id) == before


@pytest.mark.parametrize(
    ("raw_price", "code"),
    [
        ("0", "money_not_positive"),
        ("-1", "money_not_positive"),
        ('"0.00"', "money_not_positive"),
        ('"-10.00"', "money_not_positive"),
        ("NaN", "money_not_finite"),
        ('"NaN"', "money_not_finite"),
        ("Infinity", "money_not_finite"),
        ("-Infinity", "money_not_finite"),
        ('"Infinity"', "money_not_finite"),
        ("1e309", "money_too_large"),
        ('"1e309"', "money_too_large"),
        ('"10000000000.00"', "money_too_large"),
        ('"abc"', "money_not_a_number"),
        ('""', "money_not_a_number"),
        ("true", "money_not_a_number"),
        ("null", "money_not_a_number"),
        ('{"amount": 1}', "money_not_a_number"),
        ('"1_000"', "money_not_a_number"),
        ("100.999", "money_too_many_decimals"),
        ('"100.999"', "money_too_many_decimals"),
        ("100.0000000000000000000001", "money_too_many_decimals"),
    ],
)
def test_bad_price_is_422_with_its_code_and_writes_nothing(
    client: TestClient,
    manager: dict[str, str],
    make_product: Any,
    db: Session,
    raw_price: str,
    code: str,
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    response = client.put(
        f"/api/products/{product.id}/price",
        content=f'{{"price": {raw_price}, "reason": "bad input"}}'.encode(),
        headers={**manager, "If-Match": '"1"', "content-type": "application/json"},
    )
    body = assert_problem(response, 422, code)
    assert body["errors"][0]["pointer"] == "#/price"
    assert snapshot(db, product.id) == before


@pytest.mark.parametrize(
    ("price", "code"),
    [
        ("49.99", "price_outside_bounds"),
        ("200.01", "price_outside_bounds"),
        ("150.01", "price_change_too_large"),
    ],
)
def test_guardrails_are_422_and_write_nothing(
    client: TestClient,
    manager: dict[str, str],
    make_product: Any,
    db: Session,
    price: str,
    code: str,
) -> None:
    product = make_product(max_price=Decimal("200.00"))
    before = snapshot(db, product.id)
    response = put_price(client, product.id, {**manager, "If-Match": '"1"'}, price=price)
    body = assert_problem(response, 422, code)
    if code == "price_outside_bounds":
        assert (body["min_price"], body["max_price"]) == ("50.00", "200.00")
    else:
        assert body["max_change_ratio"] == "0.5"
    assert snapshot(db, product.id) == before


def test_exactly_the_allowed_ratio_passes(
    client: TestClient, manager: dict[str, str], make_product: Any
) -> None:
    product = make_product()
    response = put_price(client, product.id, {**manager, "If-Match": '"1"'}, price="150.00")
    assert response.status_code == 200, response.text


def test_the_change_ratio_is_configurable(
    make_settings: Callable[..., Settings], manager: dict[str, str], make_product: Any
) -> None:
    product = make_product()
    app = create_app(make_settings(max_price_change_ratio="0.1"))
    with TestClient(app, raise_server_exceptions=False) as client:
        too_far = put_price(client, product.id, {**manager, "If-Match": '"1"'}, price="111.00")
        assert assert_problem(too_far, 422, "price_change_too_large")["max_change_ratio"] == "0.1"
        ok = put_price(client, product.id, {**manager, "If-Match": '"1"'}, price="110.00")
        assert ok.status_code == 200


def test_unknown_product_is_404(client: TestClient, manager: dict[str, str]) -> None:
    response = put_price(client, 424242, {**manager, "If-Match": '"1"'}, price="10.00")
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize(
    "content", [b"{not json", b"price=10", b'{"price": "10.00"', b"[]", b'"10.00"']
)
def test_body_that_is_not_a_json_object_is_422(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session, content: bytes
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    response = client.put(
        f"/api/products/{product.id}/price",
        content=content,
        headers={**manager, "If-Match": '"1"', "content-type": "application/json"},
    )
    assert_problem(response, 422, "validation_failed")
    assert snapshot(db, product.id) == before


def test_too_large_body_is_413(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    before = snapshot(db, product.id)
    response = put_price(
        client, product.id, {**manager, "If-Match": '"1"'}, price="110.00", reason="x" * 70_000
    )
    assert_problem(response, 413, "payload_too_large")
    assert snapshot(db, product.id) == before


def test_reason_is_required(client: TestClient, manager: dict[str, str], make_product: Any) -> None:
    product = make_product()
    response = client.put(
        f"/api/products/{product.id}/price",
        json={"price": "110.00", "reason": "   "},
        headers={**manager, "If-Match": '"1"'},
    )
    assert assert_problem(response, 422, "validation_failed")["errors"][0]["pointer"] == "#/reason"


def test_viewer_cannot_change_prices(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    product = make_product()
    response = put_price(
        client, product.id, {**auth_headers("viewer"), "If-Match": '"1"'}, price="110.00"
    )
    assert_problem(response, 403, "permission_denied")
