"""HTTP API of the pricing domain. Thin: parse, authorize, call the service, shape the response.

The product reads come rendered from ``reads.ProductReads`` (ADR 0012); the writes' rows are
shaped by ``schemas.product_json`` and rendered by orjson. The ``response_model`` only documents
them (returning a ``Response`` skips FastAPI's per-row validation).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, status
from fastapi.responses import Response

from pricing_service.auth.dependencies import require
from pricing_service.auth.permissions import Permission
from pricing_service.auth.session_cache import Principal
from pricing_service.core.deps import Session
from pricing_service.core.request_context import request_id_of
from pricing_service.core.state import state_of
from pricing_service.pricing import bulk, service
from pricing_service.pricing.problems import BulkTooManyItemsError
from pricing_service.pricing.reads import ProductReads, product_reads
from pricing_service.pricing.routing import BulkPricingRoute, PricingRoute
from pricing_service.pricing.rules import accepted_versions, etag
from pricing_service.pricing.schemas import (
    BulkRequest,
    BulkResult,
    PriceChangePage,
    PriceUpdate,
    ProductCreate,
    ProductOut,
    ProductPage,
    ProductPatch,
    change_json,
    product_json,
)
from pricing_service.responses import OrjsonResponse
from pricing_service.settings import Settings
from pricing_service.state import AppState
from pricing_service.validation import CONTROL_FREE_SCHEMA, NO_CONTROL_CHARACTERS

router = APIRouter(prefix="/api", tags=["pricing"], route_class=PricingRoute)

ProductIdPath = Annotated[int, Path(ge=1, le=2_147_483_647)]
Limit = Annotated[int, Query(ge=1, le=200, description="page size, at most 200")]
Cursor = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{1,10}$", description="next_cursor of the previous page (opaque)"),
]
IfMatch = Annotated[str | None, Header(description='the ETag you read, e.g. "3"')]
Reader = Annotated[Principal, Depends(require(Permission.PRODUCTS_READ))]
Admin = Annotated[Principal, Depends(require(Permission.PRODUCTS_WRITE))]
PriceWriter = Annotated[Principal, Depends(require(Permission.PRICES_WRITE))]
Reads = Annotated[ProductReads, Depends(product_reads)]

Responses = dict[int | str, dict[str, Any]]
_AUTH: Responses = {
    401: {"description": "No valid token"},
    403: {"description": "Missing permission"},
}
_NOT_FOUND: Responses = {404: {"description": "No such product"}}
_INVALID: Responses = {422: {"description": "Invalid body or a broken pricing rule (see code)"}}
_TOO_LARGE: Responses = {413: {"description": "Body too large"}}


def _settings(request: Request) -> Settings:
    return state_of(request, AppState).settings


def _product_response(row: Any, status_code: int = 200, **headers: str) -> OrjsonResponse:
    return OrjsonResponse(
        product_json(row),
        status_code=status_code,
        headers={"ETag": etag(row.version), **headers},
    )


@router.get(
    "/products",
    response_model=ProductPage,
    summary="List products, ordered by id (cursor pagination)",
    responses={**_AUTH, **_INVALID},
)
async def list_products(
    reads: Reads,
    _user: Reader,
    limit: Limit = 50,
    cursor: Cursor = None,
    sku: Annotated[
        str | None,
        Query(max_length=64, description="exact sku", json_schema_extra=CONTROL_FREE_SCHEMA),
        NO_CONTROL_CHARACTERS,
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, description="title contains", json_schema_extra=CONTROL_FREE_SCHEMA),
        NO_CONTROL_CHARACTERS,
    ] = None,
    pending_sync: Annotated[bool | None, Query(description="price not yet pushed")] = None,
) -> Response:
    body = await reads.page(
        limit=limit,
        cursor=int(cursor) if cursor else None,
        sku=sku,
        q=q,
        pending_sync=pending_sync,
    )
    return Response(body, media_type="application/json")


@router.post(
    "/products",
    response_model=ProductOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a product (admin)",
    responses={
        **_AUTH,
        409: {"description": "sku or marketplace_item_id taken"},
        **_INVALID,
        **_TOO_LARGE,
    },
)
async def create_product(session: Session, _user: Admin, body: ProductCreate) -> Response:
    row = await service.create_product(session, body)
    return _product_response(row, status.HTTP_201_CREATED, Location=f"/api/products/{row.id}")


@router.get(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="One product; its ETag is its version",
    responses={**_AUTH, **_NOT_FOUND, **_INVALID},
)
async def get_product(reads: Reads, _user: Reader, product_id: ProductIdPath) -> Response:
    body, version = await reads.one(product_id)
    return Response(body, media_type="application/json", headers={"ETag": etag(version)})


@router.patch(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="Change non-price fields (admin); If-Match is optional here",
    responses={
        **_AUTH,
        400: {"description": "Malformed If-Match"},
        **_NOT_FOUND,
        409: {"description": "sku or marketplace_item_id taken"},
        412: {"description": "Stale version"},
        **_INVALID,
        **_TOO_LARGE,
    },
)
async def patch_product(
    session: Session,
    _user: Admin,
    product_id: ProductIdPath,
    body: ProductPatch,
    if_match: IfMatch = None,
) -> Response:
    accepted = None
    if (if_match is not None and if_match.strip()) or body.version is not None:  # blank: absent
        accepted = accepted_versions(if_match, body.version)
    return _product_response(await service.patch_product(session, product_id, body, accepted))


@router.put(
    "/products/{product_id}/price",
    response_model=ProductOut,
    summary="Change the price, guarded: the version you read is required (If-Match or version)",
    responses={
        **_AUTH,
        400: {"description": "Malformed If-Match"},
        **_NOT_FOUND,
        412: {"description": "Stale version: current_version says the one to read"},
        **_INVALID,
        428: {"description": "No version given"},
        **_TOO_LARGE,
    },
)
async def change_price(
    request: Request,
    session: Session,
    user: PriceWriter,
    product_id: ProductIdPath,
    body: PriceUpdate,
    if_match: IfMatch = None,
) -> Response:
    row = await service.change_price(
        session,
        product_id,
        new_price=body.price,
        reason=body.reason,
        accepted=accepted_versions(if_match, body.version),
        actor_id=user.id,
        request_id=request_id_of(request.scope),
        max_change_ratio=_settings(request).max_price_change_ratio,
    )
    return _product_response(row)


@router.get(
    "/products/{product_id}/price-history",
    response_model=PriceChangePage,
    summary="Price changes of a product, newest first (cursor pagination)",
    responses={**_AUTH, **_NOT_FOUND, **_INVALID},
)
async def price_history(
    session: Session,
    _user: Reader,
    product_id: ProductIdPath,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    page = await service.price_history(
        session, product_id, limit=limit, cursor=int(cursor) if cursor else None
    )
    return OrjsonResponse(
        {"items": [change_json(r) for r in page.rows], "next_cursor": page.next_cursor}
    )


async def bulk_prices(
    request: Request,
    session: Session,
    user: PriceWriter,
    body: BulkRequest,
    idempotency_key: Annotated[
        str | None, Header(description="a unique key per logical request, e.g. a UUID")
    ] = None,
) -> Response:
    settings = _settings(request)
    key = bulk.checked_key(idempotency_key)
    if len(body.items) > settings.bulk_max_items:
        raise BulkTooManyItemsError(len(body.items), settings.bulk_max_items)
    result = await bulk.bulk_change_prices(
        session,
        body,
        key=key,
        actor_id=user.id,
        request_id=request_id_of(request.scope),
        max_change_ratio=settings.max_price_change_ratio,
        key_ttl=timedelta(hours=settings.idempotency_key_ttl_hours),
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
    return Response(
        result.body,
        status_code=result.status_code,
        media_type="application/json",
        headers=headers,
    )


router.add_api_route(
    "/prices/bulk",
    bulk_prices,
    methods=["POST"],
    response_model=BulkResult,
    summary="Change many prices; per-item results; idempotent with Idempotency-Key",
    responses={
        **_AUTH,
        400: {"description": "Idempotency-Key missing or malformed"},
        413: {"description": "Too many items, or body too large"},
        422: {"description": "Invalid body, or the key was used with a different body"},
    },
    route_class_override=BulkPricingRoute,  # a larger body limit
)
