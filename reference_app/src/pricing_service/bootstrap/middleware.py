"""The service's one middleware layer, pure ASGI: everything each HTTP request gets on its way.

In the order a request meets them (the behaviour of the seven layers it replaces, ADR 0012):

1. **request id**: the client's X-Request-ID when well-formed, else a fresh one; in the scope's
   state, bound to every log line, and on every response (500s, 413s and CORS preflights
   included);
2. **the client's address**: the socket peer, unless that peer is a proxy listed in
   FORWARDED_ALLOW_IPS (none by default); then it is the address that proxy saw, from
   ``X-Forwarded-For``, validated as an IP (never a free-form string a client chose);
3. **CORS** (ADR 0001), Starlette's policy used as a library: a preflight is answered here, other
   responses get the allow/expose headers (or ``Vary: Origin``);
4. **one body limit for every route** (64 KiB unless a route declares its own ``body_limit``): a
   declared Content-Length above it is a 413 before a byte is read; a chunked body is read up to
   the limit and refused as soon as it passes it;
5. **the problem+json boundary**: any exception the routes let through becomes a 500 problem,
   logged with its traceback, its text never sent. An idempotent read (GET, HEAD, OPTIONS) whose
   database connection was lost before it answered is run once more, on a fresh connection;
6. **security headers** on every answer: ``nosniff`` and ``frame-ancestors 'none'``, HSTS in
   production, and ``Cache-Control: no-store`` under /api/auth (tokens and who the caller is
   must never sit in a cache);
7. **metrics** (``http_request_duration_seconds``, ``http_requests_total``) and **the access
   line**, once the final status is known.

One layer instead of seven saves six closures, six wrapped ``send``s and the passes over the
headers each made (reference_app/bench: BENCHMARKS.md, API load).
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import structlog
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pricing_service.core.db import SAFE_METHODS
from pricing_service.core.errors import INTERNAL_ERROR, PAYLOAD_TOO_LARGE, problem_response
from pricing_service.core.logging import get_logger
from pricing_service.core.request_context import (
    REQUEST_ID_HEADER,
    accept_request_id,
    route_template,
)
from pricing_service.core.settings import Environment
from pricing_service.observability.metrics import record_request
from pricing_service.settings import IpNetwork, Settings

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
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")  # ASGI header names are lowercase
_INTERNAL_DETAIL = "An unexpected error occurred. Quote the request_id when reporting it."

_EVERY_ANSWER = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),  # the same, for browsers without CSP level 2
)
_NO_STORE = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))  # RFC 6749 §5.1

access_log = get_logger("pricing_service.access")
error_log = get_logger("pricing_service.errors")


def register_middleware(app: FastAPI, settings: Settings) -> None:
    """Call after the routers: route-specific body limits are read from ``app.routes``."""
    app.add_middleware(
        ServiceMiddleware, settings=settings, limits=BodyLimits.of_routes(app.routes)
    )


def cors_policy(app: ASGIApp, settings: Settings) -> CORSMiddleware:
    return CORSMiddleware(
        app,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=CORS_ALLOWED_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,  # bearer tokens, not cookies
        max_age=600,
    )


def lost_connection(error: BaseException) -> bool:
    """The database connection died under the statement (a restart, a failover, a killed
    backend): SQLAlchemy has already invalidated the pool, so a new attempt gets a new one."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, limits: BodyLimits) -> None:
        self.app = app
        self.cors = cors_policy(app, settings)  # its methods only: it is not a layer here
        self.trusted = settings.forwarded_allow_ips
        self.limits = limits
        hsts = ((b"strict-transport-security", HSTS),)
        self.headers = _EVERY_ANSWER + (hsts if settings.app_env is Environment.PRODUCTION else ())
        self.no_store_headers = self.headers + _NO_STORE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client_id: str | None = None
        origin = chunked = False
        declared: bytes | None = None
        for key, value in scope["headers"]:  # one pass: what Headers.get() would return
            if key == _REQUEST_ID_KEY:
                if client_id is None:
                    client_id = value.decode("latin-1")
            elif key == b"origin":
                origin = True
            elif key == b"content-length":
                declared = value
            elif key == b"transfer-encoding":
                chunked = True
        request_id = accept_request_id(client_id)
        scope.setdefault("state", {})["request_id"] = request_id
        if self.trusted:
            resolve_client(scope, self.trusted)
        path: str = scope["path"]
        method: str = scope["method"]
        answer_headers = [
            (b"x-request-id", request_id.encode("latin-1")),
            *(self.no_store_headers if path.startswith(NO_STORE_PREFIX) else self.headers),
        ]
        request_headers = Headers(scope=scope)
        cors_send = self.cors.send
        status = 500  # what the client gets when the app raises before answering
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0] != b"x-request-id"),
                    *answer_headers,
                ]
                await cors_send(message, send, request_headers)
                return
            await send(message)

        # Tokens rather than bound_contextvars(): the same unbinding at a third of the cost.
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            if (
                origin
                and method == "OPTIONS"
                and "access-control-request-method" in request_headers
            ):
                preflight = self.cors.preflight_response(request_headers=request_headers)
                await preflight(scope, receive, send_with_headers)
                return
            limit = self.limits.of(path)
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await _refuse(scope, receive, send_with_headers, limit)
                return
            if declared is None and chunked:
                replay = await _read_chunked(receive, limit)
                if replay is None:
                    await _refuse(scope, receive, send_with_headers, limit)
                    return
                receive = replay
            idempotent = method in SAFE_METHODS
            received: list[Message] = []  # what the first run of a read took from receive()
            retried = False

            async def recording_receive() -> Message:
                if retried and received:
                    return received.pop(0)  # the second run reads what the first one did
                message = await receive()
                if not retried:
                    received.append(message)
                return message

            try:
                try:
                    await self.app(
                        scope, recording_receive if idempotent else receive, send_with_headers
                    )
                except DBAPIError as error:
                    if response_started or not idempotent or not lost_connection(error):
                        raise
                    error_log.warning("read_retried_after_lost_connection", path=path)
                    retried = True
                    await self.app(scope, recording_receive, send_with_headers)
            except Exception:  # the problem boundary: log with context, answer 500
                error_log.exception("unhandled_error", method=method, path=path)
                if response_started:
                    raise
                problem = problem_response(scope, INTERNAL_ERROR, _INTERNAL_DETAIL)
                await problem(scope, receive, send_with_headers)
        finally:
            try:
                route = route_template(scope)
                duration = time.perf_counter() - started
                record_request(method, route, status, duration)
                access_log.info(
                    "request",
                    method=method,
                    route=route,
                    status=status,
                    duration_ms=round(duration * 1000, 2),
                )
            finally:
                structlog.contextvars.reset_contextvars(**tokens)


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


def resolve_client(scope: Scope, trusted: tuple[IpNetwork, ...]) -> None:
    """``scope["client"]`` (and ``scope["scheme"]``) as a trusted proxy reports them."""
    peer = scope.get("client")
    peer_address = _address(peer[0]) if peer else None
    if peer_address is None or not _trusted(peer_address, trusted):
        return
    forwarded: list[str] = []
    proto = b""
    for key, value in scope["headers"]:
        if key == b"x-forwarded-for":
            forwarded.append(value.decode("latin-1"))
        elif key == b"x-forwarded-proto":
            proto = value
    if forwarded:
        client = forwarded_client(",".join(forwarded), trusted)
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


async def _read_chunked(receive: Receive, limit: int) -> Receive | None:
    """Read a body sent without Content-Length; None once it passes ``limit``, else a receive
    that hands the app the whole body first."""
    body = bytearray()
    first: Message = {"type": "http.request", "body": b"", "more_body": False}
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first = message  # the client went away: let the app see that
            break
        body += message.get("body", b"")
        if len(body) > limit:
            return None
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

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem_response(
        scope,
        PAYLOAD_TOO_LARGE,
        f"the body exceeds {limit} bytes for this endpoint",
        extensions={"max_bytes": limit},
        headers={"Connection": "close"},  # the rest of the body is never read
    )
    await response(scope, receive, send)
