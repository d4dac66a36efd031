"""Middleware, outermost first: request context → security headers → metrics → client address
→ CORS → body limit → error boundary → routes.

Every layer is pure ASGI (no BaseHTTPMiddleware): each does a dict lookup or two per request and
touches the response only in its ``http.response.start`` message.

- ``SecurityHeadersMiddleware``: ``nosniff`` and ``frame-ancestors 'none'`` on every answer,
  HSTS in production, and ``Cache-Control: no-store`` on everything under /api/auth (tokens and
  who the caller is must never sit in a cache).
- ``ClientAddressMiddleware``: the client's address is the socket peer, unless that peer is a
  proxy listed in FORWARDED_ALLOW_IPS (none by default); then it is the address that proxy saw,
  from ``X-Forwarded-For``, validated as an IP (never a free-form string a client chose).
- ``BodyLimitMiddleware``: one limit for every route (64 KiB unless a route declares its own
  ``body_limit``): a declared Content-Length above it is a 413 before a byte is read; a chunked
  body is read up to the limit and refused as soon as it passes it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pricing_service.bootstrap.errors import UnhandledErrorMiddleware, problem_response
from pricing_service.errors import PAYLOAD_TOO_LARGE
from pricing_service.observability.metrics import MetricsMiddleware
from pricing_service.observability.request_context import (
    REQUEST_ID_HEADER,
    RequestContextMiddleware,
)
from pricing_service.settings import Environment, IpNetwork, Settings

CORS_ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "Idempotency-Key",
    REQUEST_ID_HEADER,
]
CORS_EXPOSED_HEADERS = [REQUEST_ID_HEADER, "ETag", "Location", "Retry-After", "WWW-Authenticate"]

DEFAULT_BODY_LIMIT = 64 * 1024  # a login, a product or a price is far below this
HSTS = b"max-age=63072000; includeSubDomains"  # two years, as hstspreload.org asks
NO_STORE_PREFIX = "/api/auth/"  # tokens (login, refresh) and the caller's identity and sessions
MAX_FORWARDED_HOPS = 16  # more proxies than this in front of one service is not a real chain
_MAX_ADDRESS_LENGTH = 45  # the longest textual IP: an IPv4-mapped IPv6 address


def register_middleware(app: FastAPI, settings: Settings) -> None:
    """Call after the routers: route-specific body limits are read from ``app.routes``."""
    # Starlette wraps in reverse order of addition: the last added is the outermost.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(BodyLimitMiddleware, limits=BodyLimits.of_routes(app.routes))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=CORS_ALLOWED_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,  # bearer tokens, not cookies
        max_age=600,
    )
    app.add_middleware(ClientAddressMiddleware, trusted=settings.forwarded_allow_ips)
    app.add_middleware(MetricsMiddleware)  # inside request context: sees every final status
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.app_env is Environment.PRODUCTION)
    app.add_middleware(RequestContextMiddleware)


# --- security headers ------------------------------------------------------------------------

_EVERY_ANSWER = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),  # the same, for browsers without CSP level 2
)
_NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))  # RFC 6749 §5.1


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = _EVERY_ANSWER + (((b"strict-transport-security", HSTS),) if hsts else ())
        self.no_store_headers = self.headers + _NO_STORE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = self.no_store_headers if path.startswith(NO_STORE_PREFIX) else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- the client's address --------------------------------------------------------------------


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A plain IP address (IPv4-mapped IPv6 as IPv4), or None for anything else."""
    if not text or len(text) > _MAX_ADDRESS_LENGTH:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def _trusted(address: object, networks: Iterable[IpNetwork]) -> bool:
    return any(address in network for network in networks)


def forwarded_client(forwarded_for: str, trusted: tuple[IpNetwork, ...]) -> str | None:
    """The client a chain of trusted proxies reports: the right-most X-Forwarded-For entry that
    is not itself a trusted proxy. None when that entry is not a valid IP (the header was
    written by the client, not by a proxy) or the header is empty."""
    hops = [hop.strip() for hop in forwarded_for.split(",")][-MAX_FORWARDED_HOPS:]
    leftmost: str | None = None
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return None
        if not _trusted(address, trusted):
            return str(address)
        leftmost = str(address)
    return leftmost  # every hop is a trusted proxy: the first of them is the client


class ClientAddressMiddleware:
    """Resolves ``scope["client"]`` (and ``scope["scheme"]``) behind trusted proxies only."""

    def __init__(self, app: ASGIApp, *, trusted: tuple[IpNetwork, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] == "http":
            self._resolve(scope)
        await self.app(scope, receive, send)

    def _resolve(self, scope: Scope) -> None:
        peer = scope.get("client")
        peer_address = _address(peer[0]) if peer else None
        if peer_address is None or not _trusted(peer_address, self.trusted):
            return
        forwarded: list[str] = []
        proto = b""
        for key, value in scope["headers"]:
            if key == b"x-forwarded-for":
                forwarded.append(value.decode("latin-1"))
            elif key == b"x-forwarded-proto":
                proto = value
        if forwarded:
            client = forwarded_client(",".join(forwarded), self.trusted)
            if client is not None:
                scope["client"] = (client, 0)
        scheme = proto.decode("latin-1").rsplit(",", 1)[-1].strip().lower()
        if scheme in ("http", "https"):
            scope["scheme"] = scheme


# --- one body limit for every route ----------------------------------------------------------


@dataclass(frozen=True)
class BodyLimits:
    """The body limit of a path: the default, or what the matching route declares."""

    default: int
    exact: Mapping[str, int]
    patterns: tuple[tuple[re.Pattern[str], int], ...]

    @classmethod
    def of_routes(cls, routes: Iterable[object], default: int = DEFAULT_BODY_LIMIT) -> BodyLimits:
        exact: dict[str, int] = {}
        patterns: list[tuple[re.Pattern[str], int]] = []
        for route in routes:
            limit = getattr(route, "body_limit", None)
            path = getattr(route, "path", None)
            if not isinstance(limit, int) or limit == default or not isinstance(path, str):
                continue
            regex = getattr(route, "path_regex", None)
            if "{" in path and isinstance(regex, re.Pattern):
                patterns.append((regex, limit))
            else:
                exact[path] = limit
        return cls(default, exact, tuple(patterns))

    def of(self, path: str) -> int:
        limit = self.exact.get(path)
        if limit is not None:
            return limit
        return next((limit for regex, limit in self.patterns if regex.match(path)), self.default)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        chunked = False
        for key, value in scope["headers"]:
            if key == b"content-length":
                declared = value
            elif key == b"transfer-encoding":
                chunked = True
        limit = self.limits.of(scope["path"])
        if declared is not None:
            if declared.isdigit() and int(declared) > limit:
                await self._refuse(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)  # the server holds the body to its length
            return
        if not chunked:
            await self.app(scope, receive, send)  # no body
            return
        body = bytearray()
        first: Message = {"type": "http.request", "body": b"", "more_body": False}
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first = message  # the client went away: let the app see that
                break
            body += message.get("body", b"")
            if len(body) > limit:
                await self._refuse(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                first = {"type": "http.request", "body": bytes(body), "more_body": False}
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            scope,
            PAYLOAD_TOO_LARGE,
            f"the body exceeds {limit} bytes for this endpoint",
            extensions={"max_bytes": limit},
            headers={"Connection": "close"},  # the rest of the body is never read
        )
        await response(scope, receive, send)
