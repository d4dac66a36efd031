"""POST /api/prices/bulk: per-item results, one transaction, idempotency keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pricing_service.core.time import utcnow
from pricing_service.main import create_app
from pricing_service.pricing.models import IdempotencyKey, Product
from pricing_service.settings import Settings
from tests.integration.pricing_support import history_count, snapshot
from tests.problems import assert_problem


@pytest.fixture
def manager(auth_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return auth_headers("pricing_manager")


def bulk(client: TestClient, headers: dict[str, str], body: Any, key: str | None = None) -> Any:
    key_header = {"Idempotency-Key": key or str(uuid.uuid4())}
    return client.post("/api/prices/bulk", json=body, headers={**headers, **key_header})


def test_each_item_gets_its_own_outcome(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    a, b, c, d, e = (make_product() for _ in range(5))
    body = {
        "reason": "weekly repricing",
        "items": [
            {"product_id": a.id, "price": "110.00"},
            {"sku": b.sku, "price": "120.00", "version": 1, "reason": "match competitor"},
            {"product_id": c.id, "price": "100.00"},
            {"product_id": d.id, "price": "110.00", "version": 3},
            {"product_id": e.id, "price": "500.00"},
            {"sku": "NO-SUCH-SKU", "price": "10.00"},
            {"product_id": a.id, "price": "105.00"},
        ],
    }
    response = bulk(client, manager, body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["applied"], result["unchanged"], result["rejected"]) == (2, 1, 4)
    outcomes = [(r["index"], r["status"], r["code"]) for r in result["results"]]
    assert outcomes == [
        (0, "applied", None),
        (1, "applied", None),
        (2, "unchanged", None),
        (3, "rejected", "version_mismatch"),
        (4, "rejected", "price_outside_bounds"),
        (5, "rejected", "not_found"),
        (6, "rejected", "bulk_duplicate_item"),
    ]
    first = result["results"][0]
    assert first["version"] == 2
    assert first["price"] == "110.00"
    assert result["results"][3]["current_version"] == 1
    assert result["results"][5]["sku"] == "NO-SUCH-SKU"
    assert history_count(db) == 2
    db.expire_all()
    assert db.get(Product, b.id).price == Decimal("120.00")  # type: ignore[union-attr]
    assert db.get(Product, b.id).pending_sync_since is not None  # type: ignore[union-attr]
    assert snapshot(db, d.id)[:2] == (Decimal("100.00"), 1)


def test_replay_with_the_same_key_applies_once(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    body = {"items": [{"product_id": product.id, "price": "120.00"}]}
    key = "replay-" + uuid.uuid4().hex
    first = bulk(client, manager, body, key)
    second = bulk(client, manager, body, key)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert history_count(db) == 1
    assert snapshot(db, product.id)[1] == 2  # version bumped once
    # The same body spelled differently is the same request.
    respelled = bulk(
        client, manager, {"items": [{"price": "120.0", "product_id": product.id}]}, key
    )
    assert respelled.json() == first.json()


def test_same_key_with_a_different_body_is_422(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    key = uuid.uuid4().hex
    bulk(client, manager, {"items": [{"product_id": product.id, "price": "120.00"}]}, key)
    before = snapshot(db, product.id)
    other = bulk(client, manager, {"items": [{"product_id": product.id, "price": "130.00"}]}, key)
    assert_problem(other, 422, "idempotency_key_reused")
    assert snapshot(db, product.id) == before


def test_keys_are_scoped_to_the_user(
    client: TestClient,
    auth_headers: Callable[..., dict[str, str]],
    make_product: Any,
    db: Session,
) -> None:
    product = make_product()
    key = uuid.uuid4().hex
    body = {"items": [{"product_id": product.id, "price": "120.00"}]}
    assert bulk(client, auth_headers("pricing_manager"), body, key).json()["applied"] == 1
    # Another user's identical request is theirs: processed, not replayed (here: unchanged).
    other = bulk(client, auth_headers("pricing_manager"), body, key)
    assert "idempotent-replayed" not in other.headers
    assert other.json()["unchanged"] == 1
    assert db.scalar(select(IdempotencyKey.user_id).where(IdempotencyKey.key == key)) is not None
    assert len(db.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key)).all()) == 2


def test_an_expired_key_can_be_used_again(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    key = uuid.uuid4().hex
    bulk(client, manager, {"items": [{"product_id": product.id, "price": "120.00"}]}, key)
    db.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    again = bulk(client, manager, {"items": [{"product_id": product.id, "price": "130.00"}]}, key)
    assert again.status_code == 200, again.text
    assert again.json()["applied"] == 1
    assert history_count(db) == 2


@pytest.mark.parametrize("key", [None, "", "has space", "x" * 256, "ñandú"])
def test_missing_or_malformed_key_is_400(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session, key: str | None
) -> None:
    product = make_product()
    headers: dict[str, Any] = dict(manager)
    if key is not None:
        headers["Idempotency-Key"] = key.encode()  # bytes: httpx sends non-ASCII as is
    body = {"items": [{"product_id": product.id, "price": "120.00"}]}
    response = client.post("/api/prices/bulk", json=body, headers=headers)
    assert_problem(response, 400, "idempotency_key_invalid")
    assert history_count(db) == 0


def test_more_than_the_item_limit_is_413_and_writes_nothing(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    product = make_product()
    items = [{"product_id": product.id, "price": "120.00"}] * 1001
    body = assert_problem(bulk(client, manager, {"items": items}), 413, "bulk_too_many_items")
    assert body["max_items"] == 1000
    assert history_count(db) == 0
    assert db.scalar(select(IdempotencyKey.id)) is None


def test_a_thousand_items_are_accepted(
    client: TestClient, manager: dict[str, str], make_product: Any, db: Session
) -> None:
    products = [make_product() for _ in range(5)]
    items = [{"product_id": products[i % 5].id, "price": "120.00"} for i in range(1000)]
    result = bulk(client, manager, {"items": items}).json()
    assert (result["applied"], result["rejected"]) == (5, 995)
    assert history_count(db) == 5


def test_the_item_limit_is_configurable(
    make_settings: Callable[..., Settings], manager: dict[str, str], make_product: Any
) -> None:
    product = make_product()
    with TestClient(create_app(make_settings(bulk_max_items=2))) as client:
        items = [{"product_id": product.id, "price": "120.00"}] * 3
        assert_problem(bulk(client, manager, {"items": items}), 413, "bulk_too_many_items")


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"price": "120.00"}, "product_reference_invalid"),
        ({"product_id": 1, "sku": "A", "price": "120.00"}, "product_reference_invalid"),
        ({"product_id": 1, "price": "abc"}, "money_not_a_number"),
        ({"product_id": 1, "price": "120.001"}, "money_too_many_decimals"),
        ({"product_id": 1, "price": "NaN"}, "money_not_finite"),
        ({"product_id": 1, "price": "0"}, "money_not_positive"),
        ({"product_id": 1, "price": "1e309"}, "money_too_large"),
        ({"product_id": 1, "price": "120.00", "extra": 1}, "validation_failed"),
    ],
)
def test_an_invalid_item_rejects_the_whole_request(
    client: TestClient,
    manager: dict[str, str],
    make_product: Any,
    db: Session,
    item: dict[str, Any],
    code: str,
) -> None:
    product = make_product()
    good = {"product_id": product.id, "price": "120.00"}
    response = bulk(client, manager, {"items": [good, item]})
    body = assert_problem(response, 422, code)
    assert body["errors"][0]["pointer"].startswith("#/items/1")
    assert history_count(db) == 0
    assert db.scalar(select(IdempotencyKey.id)) is None


def test_empty_items_and_non_json_are_422(client: TestClient, manager: dict[str, str]) -> None:
    assert_problem(bulk(client, manager, {"items": []}), 422, "validation_failed")
    response = client.post(
        "/api/prices/bulk",
        content=b"items=1",
        headers={**manager, "Idempotency-Key": "k-1", "content-type": "application/json"},
    )
    assert_problem(response, 422, "validation_failed")


def test_viewer_cannot_bulk_update(
    client: TestClient, auth_headers: Callable[..., dict[str, str]]
) -> None:
    response = bulk(client, auth_headers("viewer"), {"items": [{"product_id": 1, "price": "1"}]})
    assert_problem(response, 403, "permission_denied")
