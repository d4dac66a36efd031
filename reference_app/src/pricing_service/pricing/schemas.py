"""Request and response bodies. Responses are built as plain dicts by ``product_json`` and
``change_json`` (the hot list path skips per-row pydantic work); the models below document them
in OpenAPI and a unit test keeps both in step. Timestamps stay ``datetime`` in those dicts:
``OrjsonResponse`` writes them as ``isoformat()`` would, in C.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from pricing_service.pricing.models import PriceChange
from pricing_service.pricing.money import Currency, NonNegativeMoney, PositiveMoney, format_amount
from pricing_service.pricing.problems import PRODUCT_REFERENCE_INVALID
from pricing_service.validation import CONTROL_FREE, NO_CONTROL_CHARACTERS

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NO_CONTROL_CHARACTERS,
    CONTROL_FREE,
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    NO_CONTROL_CHARACTERS,
    CONTROL_FREE,
]
# MercadoLibre item ids: a site prefix (MLA, MLB, MLM, ...) and digits, e.g. MLA1234567890.
MarketplaceItemId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}\d{6,15}$")]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]
ProductId = Annotated[int, Field(ge=1, le=2_147_483_647)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProductCreate(_Input):
    sku: Sku
    title: Title
    currency: Currency
    cost: NonNegativeMoney
    price: PositiveMoney
    min_price: PositiveMoney
    max_price: PositiveMoney
    marketplace_item_id: MarketplaceItemId | None = None


class ProductPatch(_Input):
    """Non-price fields; the price changes only through PUT /api/products/{id}/price."""

    sku: Sku | None = None
    title: Title | None = None
    currency: Currency | None = None
    cost: NonNegativeMoney | None = None
    min_price: PositiveMoney | None = None
    max_price: PositiveMoney | None = None
    marketplace_item_id: MarketplaceItemId | None = None
    version: Version | None = Field(
        default=None, description="optional optimistic check, like If-Match"
    )


class PriceUpdate(_Input):
    price: PositiveMoney
    reason: Reason
    version: Version | None = Field(
        default=None, description='the version you read; or send it as If-Match: "<version>"'
    )


class BulkItem(_Input):
    product_id: ProductId | None = None
    sku: Sku | None = None
    price: PositiveMoney
    version: Version | None = Field(
        default=None, description="when given, the item is applied only at this version"
    )
    reason: Reason | None = Field(default=None, description="defaults to the request's reason")

    @model_validator(mode="after")
    def _one_reference(self) -> Self:
        if (self.product_id is None) == (self.sku is None):
            raise PydanticCustomError(
                PRODUCT_REFERENCE_INVALID.code, "give exactly one of product_id and sku"
            )
        return self


class BulkRequest(_Input):
    items: list[BulkItem] = Field(min_length=1)
    reason: Reason = "bulk price update"


class ProductOut(BaseModel):
    id: int
    sku: str
    title: str
    currency: str
    cost: str = Field(examples=["1200.00"])
    price: str = Field(examples=["1999.90"])
    min_price: str
    max_price: str
    marketplace_item_id: str | None
    version: int
    updated_at: datetime
    pending_sync_since: datetime | None = Field(description="null when in sync")
    last_synced_at: datetime | None


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null at end")


class PriceChangeOut(BaseModel):
    id: int
    product_id: int
    old_price: str
    new_price: str
    version: int
    actor_id: int
    reason: str
    request_id: str
    created_at: datetime


class PriceChangePage(BaseModel):
    items: list[PriceChangeOut]
    next_cursor: str | None


class BulkItemResult(BaseModel):
    index: int = Field(description="position of the item in the request")
    product_id: int | None
    sku: str | None
    status: Literal["applied", "unchanged", "rejected"]
    version: int | None = Field(description="the product version after this item")
    price: str | None
    code: str | None = Field(description="problem code when rejected")
    detail: str | None
    current_version: int | None = Field(description="set when rejected for version_mismatch")


class BulkResult(BaseModel):
    applied: int
    unchanged: int
    rejected: int
    results: list[BulkItemResult]


# The JSON members of a product, in order; also the columns the service selects and returns,
# so ``product_json`` can unpack a row instead of reading 13 attributes of it.
PRODUCT_FIELDS = tuple(ProductOut.model_fields)


def product_json(row: Sequence[Any]) -> dict[str, Any]:
    """A product row (the columns of ``PRODUCT_FIELDS``, in that order) as its JSON object."""
    (
        id_,
        sku,
        title,
        currency,
        cost,
        price,
        min_price,
        max_price,
        marketplace_item_id,
        version,
        updated_at,
        pending_sync_since,
        last_synced_at,
    ) = row
    return {
        "id": id_,
        "sku": sku,
        "title": title,
        "currency": currency,
        "cost": format_amount(cost),
        "price": format_amount(price),
        "min_price": format_amount(min_price),
        "max_price": format_amount(max_price),
        "marketplace_item_id": marketplace_item_id,
        "version": version,
        "updated_at": updated_at,
        "pending_sync_since": pending_sync_since,
        "last_synced_at": last_synced_at,
    }


def change_json(c: PriceChange | Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "product_id": c.product_id,
        "old_price": format_amount(c.old_price),
        "new_price": format_amount(c.new_price),
        "version": c.version,
        "actor_id": c.actor_id,
        "reason": c.reason,
        "request_id": c.request_id,
        "created_at": c.created_at,
    }
