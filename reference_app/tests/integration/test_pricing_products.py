"""Products: create, edit, list with filters and cursor pagination, price history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.core.time import utcnow
from pricing_service.pricing.models import PriceChange, Product
from tests.problems import assert_problem

NEW_PRODUCT = {
    "sku": "MATE-001",
    "title": "Mate de calabaza",
    "currency": "ARS",
    "cost": "1200.00",
    "price": "1999.90",
    "min_price": "1500.00",
    "max_price": "3000.00",
    "marketplace_item_id": "MLA1234567890",
}


def product_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Product)) or 0)


def test_admin_creates_a_product_with_decimal_strings(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], db: Session
) -> None:
    response = client.post("/api/products", json=NEW_PRODUCT, headers=auth_headers("admin"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/api/products/{body['id']}"
    assert body["price"] == "1999.90"
    assert body["cost"] == "1200.00"
    assert body["version"] == 1
    assert body["pending_sync_since"] is None
    stored = db.get(Product, body["id"])
    assert stored is not None
    assert stored.price == Decimal("1999.90")
    again = client.get(f"/api/products/{body['id']}", headers=auth_headers("viewer"))
    assert again.json() == body
    assert again.headers["etag"] == '"1"'


def test_creating_needs_products_write(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], db: Session
) -> None:
    manager = client.post(
        "/api/products", json=NEW_PRODUCT, headers=auth_headers("pricing_manager")
    )
    assert_problem(manager, 403, "permission_denied")
    assert_problem(client.post("/api/products", json=NEW_PRODUCT), 401, "authentication_required")
    assert product_count(db) == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("sku", "MATE-001", "sku_taken"),
        ("marketplace_item_id", "MLA1234567890", "marketplace_item_taken"),
    ],
)
def test_duplicate_sku_or_item_is_409(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    db: Session,
    field: str,
    value: str,
    code: str,
) -> None:
    headers = auth_headers("admin")
    first = client.post("/api/products", json=NEW_PRODUCT, headers=headers).json()
    other = {**NEW_PRODUCT, "sku": "OTHER-1", "marketplace_item_id": "MLA9999999999"}
    other[field] = value
    body = assert_problem(client.post("/api/products", json=other, headers=headers), 409, code)
    assert body["product_id"] == first["id"]
    assert product_count(db) == 1


@pytest.mark.parametrize(
    ("changes", "code", "pointer"),
    [
        ({"currency": "XYZ"}, "unknown_currency", "#/currency"),
        ({"currency": "ars"}, "unknown_currency", "#/currency"),
        ({"price": "3500.00"}, "price_outside_bounds", None),
        ({"min_price": "4000.00"}, "price_outside_bounds", None),
        ({"cost": "-1.00"}, "money_negative", "#/cost"),
        ({"min_price": "0"}, "money_not_positive", "#/min_price"),
        ({"max_price": "abc"}, "money_not_a_number", "#/max_price"),
        ({"marketplace_item_id": "1234"}, "validation_failed", "#/marketplace_item_id"),
        ({"sku": ""}, "validation_failed", "#/sku"),
        ({"version": 3}, "validation_failed", "#/version"),
    ],
)
def test_invalid_product_is_422_and_writes_nothing(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    db: Session,
    changes: dict[str, Any],
    code: str,
    pointer: str | None,
) -> None:
    response = client.post(
        "/api/products", json={**NEW_PRODUCT, **changes}, headers=auth_headers("admin")
    )
    body = assert_problem(response, 422, code)
    if pointer is not None:
        assert pointer in {e["pointer"] for e in body["errors"]}
    assert product_count(db) == 0


def test_patch_changes_non_price_fields_and_bumps_the_version(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    product = make_product()
    headers = {**auth_headers("admin"), "If-Match": '"1"'}
    response = client.patch(
        f"/api/products/{product.id}",
        json={"title": "  Renamed  ", "max_price": "250.00", "marketplace_item_id": None},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Renamed"
    assert body["max_price"] == "250.00"
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'
    assert body["price"] == "100.00"
    assert body["pending_sync_since"] is None
    stale = client.patch(f"/api/products/{product.id}", json={"title": "x"}, headers=headers)
    assert assert_problem(stale, 412, "version_mismatch")["current_version"] == 2


def test_patch_refuses_price_bounds_that_exclude_the_price_and_price_itself(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    product = make_product()
    headers = auth_headers("admin")
    url = f"/api/products/{product.id}"
    assert_problem(
        client.patch(url, json={"min_price": "150.00"}, headers=headers),
        422,
        "price_outside_bounds",
    )
    body = assert_problem(
        client.patch(url, json={"price": "120.00"}, headers=headers), 422, "validation_failed"
    )
    assert body["errors"][0]["pointer"] == "#/price"
    assert client.get(url, headers=headers).json()["version"] == 1


def test_patch_to_a_taken_sku_is_409(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    first, second = make_product(), make_product()
    response = client.patch(
        f"/api/products/{second.id}", json={"sku": first.sku}, headers=auth_headers("admin")
    )
    assert_problem(response, 409, "sku_taken")


def test_unknown_product_is_404(
    client: TestClient, auth_headers: Callable[..., dict[str, str]]
) -> None:
    headers = auth_headers("admin")
    assert_problem(client.get("/api/products/999", headers=headers), 404, "not_found")
    assert_problem(
        client.patch("/api/products/999", json={"title": "x"}, headers=headers), 404, "not_found"
    )
    assert_problem(client.get("/api/products/999/price-history", headers=headers), 404, "not_found")


def test_list_pages_by_cursor_in_id_order(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    ids = [make_product().id for _ in range(7)]
    headers = auth_headers("viewer")
    seen: list[int] = []
    url = "/api/products?limit=3"
    while True:
        page = client.get(url, headers=headers).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/api/products?limit=3&cursor={page['next_cursor']}"
    assert seen == sorted(ids)


def test_reads_render_the_bytes_the_writes_render(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    """The read path (ADR 0012) and the write path (``product_json``) agree byte for byte:
    amounts with two decimals, timestamps as ``isoformat()`` with or without microseconds."""
    whole_second = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    make_product(
        cost=Decimal("0"),
        price=Decimal("5"),
        min_price=Decimal("0.01"),
        max_price=Decimal("9999999999.99"),
        updated_at=whole_second,
        pending_sync_since=whole_second.replace(microsecond=1),
        last_synced_at=whole_second.replace(microsecond=500_000),
    )
    admin = auth_headers("admin")
    created = client.post("/api/products", json=NEW_PRODUCT, headers=admin)
    patched = client.patch(
        f"/api/products/{created.json()['id']}", json={"title": "Mate ñandú 🧉"}, headers=admin
    )
    assert patched.status_code == 200, patched.text
    viewer = auth_headers("viewer")
    page = client.get("/api/products", headers=viewer)
    first, second = page.json()["items"]
    assert first["price"] == "5.00"
    assert first["cost"] == "0.00"
    assert first["updated_at"] == "2026-11-26T12:00:00+00:00"
    assert first["pending_sync_since"] == "2026-11-26T12:00:00.000001+00:00"
    one = client.get(f"/api/products/{second['id']}", headers=viewer)
    assert one.content == patched.content
    assert one.headers["etag"] == patched.headers["etag"] == '"2"'
    assert page.content == b'{"items":[%s,%s],"next_cursor":null}' % (
        client.get(f"/api/products/{first['id']}", headers=viewer).content,
        one.content,
    )


@pytest.mark.parametrize(
    "query", ["limit=201", "limit=0", "cursor=abc", "pending_sync=maybe", "limit=x"]
)
def test_list_rejects_bad_parameters(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], query: str
) -> None:
    response = client.get(f"/api/products?{query}", headers=auth_headers("viewer"))
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"].startswith("#/query/")


def test_list_filters_by_sku_title_and_pending_sync(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    mate = make_product(title="Mate imperial 100%")
    yerba = make_product(title="Yerba mate 1kg", pending_sync_since=utcnow())
    make_product(title="Bombilla")
    headers = auth_headers("viewer")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/products?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(f"sku={mate.sku}") == [mate.id]
    assert ids("q=MATE") == [mate.id, yerba.id]
    assert ids("q=100%25") == [mate.id]  # % is a literal, not a wildcard
    assert ids("q=_") == []
    assert ids("pending_sync=true") == [yerba.id]
    assert yerba.id not in ids("pending_sync=false")


def test_price_history_is_newest_first_and_paginated(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    make_product: Any,
    db: Session,
) -> None:
    product = make_product()
    headers = auth_headers("pricing_manager")
    prices = ["110.00", "120.00", "130.00"]
    for version, price in enumerate(prices, start=1):
        response = client.put(
            f"/api/products/{product.id}/price",
            json={"price": price, "reason": f"step {version}"},
            headers={**headers, "If-Match": f'"{version}"'},
        )
        assert response.status_code == 200, response.text
    url = f"/api/products/{product.id}/price-history?limit=2"
    first = client.get(url, headers=auth_headers("viewer")).json()
    assert [c["new_price"] for c in first["items"]] == ["130.00", "120.00"]
    assert [c["version"] for c in first["items"]] == [4, 3]
    rest = client.get(f"{url}&cursor={first['next_cursor']}", headers=headers).json()
    assert [(c["old_price"], c["new_price"]) for c in rest["items"]] == [("100.00", "110.00")]
    assert rest["next_cursor"] is None
    assert db.scalar(select(func.count()).select_from(PriceChange)) == 3


def test_empty_history_of_an_existing_product(
    client: TestClient, auth_headers: Callable[..., dict[str, str]], make_product: Any
) -> None:
    product = make_product()
    response = client.get(
        f"/api/products/{product.id}/price-history", headers=auth_headers("viewer")
    )
    assert response.json() == {"items": [], "next_cursor": None}
