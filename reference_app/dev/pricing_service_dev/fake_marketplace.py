"""A local fake of the MercadoLibre endpoints the sync uses, for development, tests and benchmarks.

Marketplace endpoints: ``POST /oauth/token`` (grant_type=refresh_token; single-use refresh
tokens, rotated on every grant), ``GET /items/{id}`` and ``PUT /items/{id}`` (bearer token).
Behaviour knobs (:class:`FakeConfig`): latency, a random transient error rate, a rate limit
answered with 429 + Retry-After, access-token lifetime, a minimum accepted price, and whether
unknown items are created on first PUT. Control endpoints under ``/_fake/`` let a test read what
the fake received and script faults:

- ``GET /_fake/requests`` (every item/token request: method, path, status, price, applied) and
  ``GET /_fake/items`` (price, status and number of applied updates per item);
- ``PUT /_fake/config`` (partial update), ``POST /_fake/reset``;
- ``PUT /_fake/items/{id}`` (seed an item: price, status), ``DELETE /_fake/items/{id}`` (404s);
- ``POST /_fake/faults`` ``{"count": N, "status": 429|5xx, "retry_after": s}`` or
  ``{"count": N, "stall_seconds": s}``: the next N item requests fail that way (a stalled PUT is
  still applied, like a real timeout after the write);
- ``POST /_fake/expire-tokens`` (every access token now answers 401) and
  ``POST /_fake/revoke-grants`` (every refresh token now answers invalid_grant).

It is an in-memory, single-process ASGI app: use it in-process through
``httpx.ASGITransport(app=fake)`` or over HTTP with
``python -m pricing_service_dev fake-marketplace``.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send


class FakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latency_ms: float = Field(default=0.0, ge=0)
    error_rate: float = Field(default=0.0, ge=0, le=1, description="random 5xx answers")
    rate_limit_per_second: float | None = Field(default=None, gt=0)
    retry_after_seconds: int = Field(default=1, ge=0)
    token_ttl_seconds: int = Field(default=21600, ge=1)
    min_price: Decimal | None = Field(default=None, description="lower prices are rejected")
    auto_create_items: bool = True
    client_id: str | None = Field(default=None, description="None accepts any client")
    client_secret: str | None = Field(default=None, repr=False)
    initial_refresh_token: str | None = Field(default=None, repr=False)
    seed: int | None = None


@dataclass
class FakeItem:
    price: Decimal | None = None
    status: str = "active"
    updates: int = 0


@dataclass
class Fault:
    remaining: int
    status: int = 503
    retry_after: int | None = None
    stall_seconds: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    status: int
    item_id: str | None = None
    price: str | None = None
    applied: bool = False
    at: float = field(default_factory=time.time)


def _error(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"message": message, "error": error, "status": status, "cause": []}
    body.update(extra)
    return JSONResponse(body, status_code=status)


class _TokenBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FakeMarketplace:
    """The fake's state and its ASGI app (``await fake(scope, receive, send)``)."""

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.launch_config = config or FakeConfig()
        self.reset()
        self.app = Starlette(
            routes=[
                Route("/oauth/token", self._token, methods=["POST"]),
                Route("/items/{item_id}", self._item, methods=["GET", "PUT"]),
                Route("/_fake/health", self._health, methods=["GET"]),
                Route("/_fake/requests", self._requests, methods=["GET"]),
                Route("/_fake/items", self._items, methods=["GET"]),
                Route("/_fake/items/{item_id}", self._seed_item, methods=["PUT", "DELETE"]),
                Route("/_fake/config", self._config, methods=["GET", "PUT"]),
                Route("/_fake/faults", self._faults, methods=["POST"]),
                Route("/_fake/reset", self._reset, methods=["POST"]),
                Route("/_fake/expire-tokens", self._expire_tokens, methods=["POST"]),
                Route("/_fake/revoke-grants", self._revoke_grants, methods=["POST"]),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def reset(self) -> None:
        self.config = self.launch_config.model_copy()
        self.items: dict[str, FakeItem] = {}
        self.missing: set[str] = set()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.access_tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.refresh_tokens: set[str] = set()
        if self.config.initial_refresh_token:
            self.refresh_tokens.add(self.config.initial_refresh_token)
        self.grants_revoked = False
        self._apply_config()

    def configure(self, **changes: Any) -> None:
        self.config = FakeConfig.model_validate({**self.config.model_dump(), **changes})
        self._apply_config()

    def _apply_config(self) -> None:
        self._random = random.Random(self.config.seed)  # noqa: S311 (fault injection)
        rate = self.config.rate_limit_per_second
        self._bucket = _TokenBucket(rate) if rate else None

    # Marketplace endpoints ---------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        # application/x-www-form-urlencoded, parsed by hand (no python-multipart needed)
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        config = self.config
        recorded = Recorded("POST", "/oauth/token", 200)
        self.requests.append(recorded)
        if form.get("grant_type") != "refresh_token":
            recorded.status = 400
            return _error(400, "unsupported_grant_type", "grant_type must be refresh_token")
        if (config.client_id is not None and form.get("client_id") != config.client_id) or (
            config.client_secret is not None and form.get("client_secret") != config.client_secret
        ):
            recorded.status = 401
            return _error(401, "invalid_client", "invalid client_id or client_secret")
        presented = str(form.get("refresh_token") or "")
        known = presented in self.refresh_tokens or (
            not self.refresh_tokens and config.initial_refresh_token is None
        )
        if self.grants_revoked or not presented or not known:
            recorded.status = 400
            return JSONResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "Error validating grant. Your authorization code or "
                    "refresh token may be expired or it was already used",
                    "status": 400,
                },
                status_code=400,
            )
        self.refresh_tokens.discard(presented)  # single use, like MercadoLibre
        access, refresh = f"APP_USR-{secrets.token_hex(16)}", f"TG-{secrets.token_hex(16)}"
        self.refresh_tokens.add(refresh)
        self.access_tokens[access] = time.monotonic() + config.token_ttl_seconds
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": config.token_ttl_seconds,
                "scope": "offline_access read write",
                "user_id": 1,
                "refresh_token": refresh,
            }
        )

    async def _item(self, request: Request) -> Response:
        item_id = request.path_params["item_id"]
        recorded = Recorded(request.method, request.url.path, 200, item_id=item_id)
        body = await request.body()  # read on arrival: a stalled write still lands after a timeout
        try:
            response = await self._answer_item(request, item_id, body, recorded)
        finally:
            self.requests.append(recorded)
        recorded.status = response.status_code
        return response

    async def _answer_item(
        self, request: Request, item_id: str, body: bytes, recorded: Recorded
    ) -> Response:
        config = self.config
        fault = self._next_fault()
        if fault is not None and not fault.stall_seconds:
            headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
            response = _error(fault.status, "fault", f"scripted fault {fault.status}")
            response.headers.update(headers)
            return response
        if self._bucket is not None and not self._bucket.take():
            response = _error(429, "too_many_requests", "Too many requests")
            response.headers["Retry-After"] = str(config.retry_after_seconds)
            return response
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        if fault is not None:
            await asyncio.sleep(fault.stall_seconds)
        if config.error_rate and self._random.random() < config.error_rate:
            status = self._random.choice((500, 502, 503))
            return _error(status, "internal_error", "temporary marketplace failure")
        if not self._authorized(request):
            return _error(401, "unauthorized", "invalid access token")
        if request.method == "GET":
            return self._get_item(item_id)
        return self._put_item(item_id, body, recorded)

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip()
        expiry = self.access_tokens.get(token)
        return expiry is not None and expiry > time.monotonic()

    def _find(self, item_id: str, *, create: bool) -> FakeItem | None:
        if item_id in self.missing:
            return None
        if item_id not in self.items and create and self.config.auto_create_items:
            self.items[item_id] = FakeItem()
        return self.items.get(item_id)

    def _get_item(self, item_id: str) -> Response:
        item = self._find(item_id, create=False)
        if item is None:
            return _error(404, "not_found", f"Item with id {item_id} not found")
        return Response(
            json.dumps(
                {
                    "id": item_id,
                    "price": None if item.price is None else float(item.price),
                    "status": item.status,
                    "currency_id": "ARS",
                }
            ),
            media_type="application/json",
        )

    def _put_item(self, item_id: str, body: bytes, recorded: Recorded) -> Response:
        try:
            price = Decimal(json.loads(body, parse_float=Decimal, parse_int=Decimal)["price"])
        except (ValueError, KeyError, TypeError, InvalidOperation):
            return _error(400, "bad_request", "body must be a JSON object with a numeric price")
        recorded.price = str(price)
        item = self._find(item_id, create=True)
        if item is None:
            return _error(404, "not_found", f"Item with id {item_id} not found")
        if item.status != "active":
            return _error(
                400,
                "validation_error",
                f"Cannot update item {item_id} [status:{item.status}]",
                cause=[
                    {
                        "code": "item.status.not_modifiable",
                        "message": f"item is {item.status}, only active items can change price",
                    }
                ],
            )
        floor = self.config.min_price
        if not math.isfinite(price) or price <= 0 or (floor is not None and price < floor):
            return _error(
                400,
                "validation_error",
                "Validation error",
                cause=[
                    {
                        "code": "item.price.invalid",
                        "message": f"price {price} is below the minimum {floor or 0} allowed",
                    }
                ],
            )
        item.price = price
        item.updates += 1
        recorded.applied = True
        return Response(
            json.dumps({"id": item_id, "price": float(price), "status": item.status}),
            media_type="application/json",
        )

    def _next_fault(self) -> Fault | None:
        while self.faults and self.faults[0].remaining <= 0:
            self.faults.pop(0)
        if not self.faults:
            return None
        self.faults[0].remaining -= 1
        return self.faults[0]

    # Control endpoints -------------------------------------------------------------------

    async def _health(self, _request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def _requests(self, request: Request) -> Response:
        path = request.query_params.get("path")
        rows = [r for r in self.requests if path is None or r.path == path]
        return JSONResponse([r.__dict__ for r in rows])

    async def _items(self, _request: Request) -> Response:
        return JSONResponse(
            {
                item_id: {
                    "price": None if item.price is None else str(item.price),
                    "status": item.status,
                    "updates": item.updates,
                }
                for item_id, item in self.items.items()
            }
        )

    async def _seed_item(self, request: Request) -> Response:
        item_id = request.path_params["item_id"]
        if request.method == "DELETE":
            self.items.pop(item_id, None)
            self.missing.add(item_id)
            return Response(status_code=204)
        body = await request.json()
        self.missing.discard(item_id)
        self.items[item_id] = FakeItem(
            price=None if body.get("price") is None else Decimal(str(body["price"])),
            status=str(body.get("status", "active")),
        )
        return Response(status_code=204)

    async def _config(self, request: Request) -> Response:
        if request.method == "PUT":
            self.configure(**await request.json())
        return JSONResponse(
            self.config.model_dump(mode="json", exclude={"client_secret", "initial_refresh_token"})
        )

    async def _faults(self, request: Request) -> Response:
        body = await request.json()
        self.faults.append(
            Fault(
                remaining=int(body.get("count", 1)),
                status=int(body.get("status", 503)),
                retry_after=None if body.get("retry_after") is None else int(body["retry_after"]),
                stall_seconds=float(body.get("stall_seconds", 0)),
            )
        )
        return Response(status_code=204)

    async def _reset(self, _request: Request) -> Response:
        self.reset()
        return Response(status_code=204)

    async def _expire_tokens(self, _request: Request) -> Response:
        self.access_tokens.clear()
        return Response(status_code=204)

    async def _revoke_grants(self, _request: Request) -> Response:
        self.grants_revoked = True
        return Response(status_code=204)
