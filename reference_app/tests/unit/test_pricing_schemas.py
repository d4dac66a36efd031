"""The hand-built response dicts match the documented response models exactly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from pricing_service.pricing.schemas import (
    PRODUCT_FIELDS,
    PriceChangeOut,
    ProductOut,
    change_json,
    product_json,
)
from pricing_service.responses import OrjsonResponse

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_product_json_matches_product_out() -> None:
    values: dict[str, object] = {
        "id": 1,
        "sku": "SKU-1",
        "title": "Mate",
        "currency": "ARS",
        "cost": Decimal("10"),
        "price": Decimal("19.9"),
        "min_price": Decimal("10.00"),
        "max_price": Decimal("30.00"),
        "marketplace_item_id": "MLA1234567890",
        "version": 3,
        "updated_at": NOW,
        "pending_sync_since": None,
        "last_synced_at": NOW,
    }
    assert list(values) == list(PRODUCT_FIELDS)  # the row is unpacked in this order
    body = product_json(tuple(values[name] for name in PRODUCT_FIELDS))
    assert body["price"] == "19.90"
    assert body["cost"] == "10.00"
    assert list(body) == list(ProductOut.model_fields)
    assert ProductOut.model_validate(body).model_dump(mode="json")["price"] == "19.90"
    wire = json.loads(bytes(OrjsonResponse(body).body))
    assert wire["updated_at"] == "2026-11-26T12:00:00+00:00"
    assert wire["pending_sync_since"] is None


def test_product_json_refuses_a_row_of_other_columns() -> None:
    with pytest.raises(ValueError, match="too many values"):
        product_json((1,) * (len(PRODUCT_FIELDS) + 1))  # e.g. select(products), with created_at


def test_change_json_matches_price_change_out() -> None:
    row = SimpleNamespace(
        id=9,
        product_id=1,
        old_price=Decimal("10.00"),
        new_price=Decimal("12.5"),
        version=2,
        actor_id=4,
        reason="r",
        request_id="req-12345678",
        created_at=NOW,
    )
    body = change_json(row)
    assert body["new_price"] == "12.50"
    assert set(body) == set(PriceChangeOut.model_fields)
    PriceChangeOut.model_validate(body)
    assert json.loads(bytes(OrjsonResponse(body).body))["created_at"] == "2026-11-26T12:00:00+00:00"
