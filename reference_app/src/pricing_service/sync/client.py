"""A typed MercadoLibre client on httpx: update an item's price, read an item, refresh the token.

Every failure is one of three typed kinds, so the worker decides without parsing HTTP:

- :class:`TransientError` (timeouts, connection errors, 5xx, 429 with its Retry-After): retry;
- :class:`MarketplaceAuthError` (invalid_grant, invalid_client, 401 after a fresh token): stop,
  the sync is degraded until someone re-authorizes the seller; never retried in a loop;
- :class:`PermanentItemError` (item not found, inactive item, price rejected): this item only,
  recorded with the marketplace's own message.

A 401 on an item call triggers exactly one token refresh and one retry. Refresh tokens are
single-use at MercadoLibre: the new pair replaces the old one through a compare-and-swap in the
:class:`TokenStore`, so two processes refreshing at once never lose the seller's grant. Tokens
and secrets never reach logs, exception messages or reprs.
"""

from __future__ import annotations

import asyncio
import json
import math
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from pricing_service.core.logging import get_logger
from pricing_service.sync.ratelimit import RateLimiter

logger = get_logger(__name__)

# Refresh a little before the marketplace says the access token expires.
EXPIRY_MARGIN = timedelta(seconds=60)
MAX_MESSAGE_LENGTH = 500
# On invalid_grant, how long to watch for a concurrent refresh's result before degrading.
ROTATION_GRACE_SECONDS = 0.5
ROTATION_GRACE_POLLS = 5


class MarketplaceError(Exception):
    """Any failure talking to the marketplace."""


class TransientError(MarketplaceError):
    """Worth retrying later: timeout, connection error, 5xx or 429."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, uncertain: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        # The request may have reached the marketplace (a timeout): verify before pushing again.
        self.uncertain = uncertain


class MarketplaceAuthError(MarketplaceError):
    """The seller's authorization is unusable (invalid_grant, ...): the sync is degraded."""


class PermanentItemError(MarketplaceError):
    """The marketplace refused this item for good; ``message`` is the marketplace's own text."""

    kind = "rejected"

    def __init__(self, item_id: str, status: int, code: str, message: str) -> None:
        super().__init__(f"{item_id}: {message}")
        self.item_id = item_id
        self.status = status
        self.code = code
        self.message = message


class ItemNotFoundError(PermanentItemError):
    kind = "item_not_found"


class ItemInactiveError(PermanentItemError):
    kind = "item_inactive"


class PriceRejectedError(PermanentItemError):
    kind = "price_rejected"


@dataclass(frozen=True)
class Item:
    id: str
    price: Decimal | None
    status: str


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True)
class StoredCredentials:
    refresh_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    degraded_reason: str | None = None


class TokenStore(Protocol):
    """Where the seller's tokens live (the database in the service, memory in tests)."""

    async def load(self) -> StoredCredentials: ...

    async def replace(self, old_refresh_token: str, tokens: Tokens) -> bool:
        """Store ``tokens`` only if the stored refresh token is still ``old_refresh_token``."""
        ...

    async def mark_degraded(self, reason: str) -> None: ...


class MemoryTokenStore:
    """A TokenStore in memory: tests and the benchmark's fake runs."""

    def __init__(self, refresh_token: str) -> None:
        self.credentials = StoredCredentials(refresh_token=refresh_token)

    async def load(self) -> StoredCredentials:
        return self.credentials

    async def replace(self, old_refresh_token: str, tokens: Tokens) -> bool:
        if self.credentials.refresh_token != old_refresh_token:
            return False
        self.credentials = StoredCredentials(
            refresh_token=tokens.refresh_token,
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
        )
        return True

    async def mark_degraded(self, reason: str) -> None:
        self.credentials = StoredCredentials(
            refresh_token=self.credentials.refresh_token, degraded_reason=reason
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - _now()).total_seconds()
        except (TypeError, ValueError):
            return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _error_body(response: httpx.Response) -> tuple[str, str]:
    """(error code, human message) from a MercadoLibre error body, tolerant of any shape."""
    try:
        body: Any = response.json()
    except ValueError:
        return "", response.text[:MAX_MESSAGE_LENGTH]
    if not isinstance(body, dict):
        return "", str(body)[:MAX_MESSAGE_LENGTH]
    codes = [str(body.get("error") or "")]
    messages = [str(body.get("message") or body.get("error_description") or "")]
    for cause in body.get("cause") or []:
        if isinstance(cause, dict):
            codes.append(str(cause.get("code") or ""))
            messages.append(str(cause.get("message") or ""))
    code = " ".join(c for c in codes if c)
    message = "; ".join(m for m in messages if m) or f"HTTP {response.status_code}"
    return code, message[:MAX_MESSAGE_LENGTH]


class MercadoLibreClient:
    """One HTTP client per process for the MercadoLibre API. Use as an async context manager."""

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: SecretStr,
        token_store: TokenStore,
        rate_limiter: RateLimiter | None = None,
        timeout: httpx.Timeout | None = None,
        max_connections: int = 16,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._store = token_store
        self.rate_limiter = rate_limiter
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout or httpx.Timeout(10.0, connect=3.0),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            transport=transport,
            verify=verify,
            headers={"Accept": "application/json", "User-Agent": "pricing-service"},
        )
        self._access: tuple[str, datetime] | None = None
        self._refresh_lock = asyncio.Lock()

    async def __aenter__(self) -> MercadoLibreClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # Public operations -----------------------------------------------------------------

    async def update_price(self, item_id: str, price: Decimal) -> Item:
        """PUT /items/{id} {"price": ...}; the price goes out as an exact JSON number."""
        body = b'{"price": ' + str(price.quantize(Decimal("0.01"))).encode() + b"}"
        response = await self._authorized("PUT", item_id, body)
        return self._item(item_id, response)

    async def get_item(self, item_id: str) -> Item:
        response = await self._authorized("GET", item_id, None)
        return self._item(item_id, response)

    async def refresh_access_token(self, stale_access_token: str | None = None) -> str:
        """Exchange the stored refresh token for a new pair; returns the new access token.

        When another caller already refreshed (the stored access token differs from
        ``stale_access_token`` and is still valid), that token is returned without a new grant.
        """
        async with self._refresh_lock:
            stored = await self._store.load()
            if stored.degraded_reason:
                raise MarketplaceAuthError(stored.degraded_reason)
            fresh = self._usable(stored)
            if fresh is not None and fresh != stale_access_token:
                self._access = (fresh, stored.expires_at or _now())
                return fresh
            try:
                tokens = await self._grant(stored.refresh_token)
            except _RotatedElsewhereError:
                return await self._reload_after_race()
            if not await self._store.replace(stored.refresh_token, tokens):
                # Another process rotated the grant first; ours is the loser's copy.
                return await self._reload_after_race()
            self._access = (tokens.access_token, tokens.expires_at)
            logger.info("marketplace_token_refreshed", expires_at=tokens.expires_at.isoformat())
            return tokens.access_token

    # Internals -------------------------------------------------------------------------

    @staticmethod
    def _usable(stored: StoredCredentials) -> str | None:
        if stored.access_token and stored.expires_at and stored.expires_at - EXPIRY_MARGIN > _now():
            return stored.access_token
        return None

    async def _access_token(self) -> str:
        if self._access is not None and self._access[1] - EXPIRY_MARGIN > _now():
            return self._access[0]
        return await self.refresh_access_token(
            stale_access_token=self._access[0] if self._access else None
        )

    async def _reload_after_race(self) -> str:
        stored = await self._store.load()
        fresh = self._usable(stored)
        if fresh is None:
            raise TransientError("token refresh raced with another process; retry")
        self._access = (fresh, stored.expires_at or _now())
        return fresh

    async def _grant(self, refresh_token: str) -> Tokens:
        data = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
            "refresh_token": refresh_token,
        }
        response = await self._send("POST", "/oauth/token", data=data)
        if response.status_code in (400, 401, 403):
            code, message = _error_body(response)
            if await self._rotated_elsewhere(refresh_token):
                # A concurrent refresh consumed our single-use token: use its result.
                raise _RotatedElsewhereError
            reason = f"marketplace authorization failed ({code or response.status_code}): {message}"
            await self._store.mark_degraded(reason)
            logger.error("marketplace_auth_degraded", error=code, status=response.status_code)
            raise MarketplaceAuthError(reason)
        self._raise_for_transient(response)
        try:
            body = response.json()
            expires_at = _now() + timedelta(seconds=int(body.get("expires_in", 21600)))
            return Tokens(str(body["access_token"]), str(body["refresh_token"]), expires_at)
        except (ValueError, KeyError, TypeError) as error:
            raise TransientError("unreadable token response from the marketplace") from error

    async def _rotated_elsewhere(self, refresh_token: str) -> bool:
        """True when another process stored a new pair; it may still be writing it, so look
        a few times before calling the grant invalid."""
        for _ in range(ROTATION_GRACE_POLLS):
            latest = await self._store.load()
            if latest.refresh_token != refresh_token and self._usable(latest):
                return True
            await asyncio.sleep(ROTATION_GRACE_SECONDS / ROTATION_GRACE_POLLS)
        return False

    async def _authorized(self, method: str, item_id: str, content: bytes | None) -> httpx.Response:
        path = f"/items/{item_id}"
        token = await self._access_token()
        response = await self._send(method, path, content=content, token=token)
        if response.status_code == 401:
            # Exactly one refresh, then one retry; a second 401 is an authorization failure.
            token = await self.refresh_access_token(stale_access_token=token)
            response = await self._send(method, path, content=content, token=token)
            if response.status_code == 401:
                _code, message = _error_body(response)
                raise MarketplaceAuthError(f"marketplace refused a fresh access token: {message}")
        self._raise_for_transient(response)
        return response

    async def _send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        data: dict[str, str] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        if self.rate_limiter is not None:
            await self.rate_limiter.acquire()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(
                method, path, content=content, data=data, headers=headers
            )
        except httpx.TimeoutException as error:
            # A write that timed out may have been applied: the caller verifies before a retry.
            raise TransientError(
                f"timeout ({type(error).__name__})", uncertain=method != "GET"
            ) from None
        except httpx.TransportError as error:
            raise TransientError(f"connection error ({type(error).__name__})") from None
        if response.status_code == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if self.rate_limiter is not None and retry_after:
                self.rate_limiter.pause(retry_after)
        return response

    @staticmethod
    def _raise_for_transient(response: httpx.Response) -> None:
        status = response.status_code
        if status == 429:
            raise TransientError(
                "rate limited (429)", retry_after=_retry_after(response.headers.get("Retry-After"))
            )
        if status >= 500:
            raise TransientError(
                f"marketplace error {status}",
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )

    @staticmethod
    def _item(item_id: str, response: httpx.Response) -> Item:
        status = response.status_code
        if status >= 400:
            code, message = _error_body(response)
            if status == 404:
                raise ItemNotFoundError(item_id, status, code or "not_found", message)
            if "status" in code or "inactive" in code or "closed" in code:
                raise ItemInactiveError(item_id, status, code, message)
            if "price" in code:
                raise PriceRejectedError(item_id, status, code, message)
            raise PermanentItemError(item_id, status, code or f"http_{status}", message)
        try:
            body = json.loads(response.content, parse_float=Decimal, parse_int=Decimal)
            price = body.get("price")
            return Item(
                id=str(body.get("id") or item_id),
                price=None if price is None else Decimal(price),
                status=str(body.get("status") or "unknown"),
            )
        except (ValueError, AttributeError, ArithmeticError) as error:
            raise TransientError(f"unreadable item response for {item_id}") from error


class _RotatedElsewhereError(Exception):
    """Internal: our refresh token was consumed by a concurrent refresh that succeeded."""
