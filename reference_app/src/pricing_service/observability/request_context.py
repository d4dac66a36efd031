"""Request correlation: one well-formed X-Request-ID per request, in every log line and response.

A pure ASGI middleware (no BaseHTTPMiddleware overhead). It is the outermost layer, so every
response — 500s and CORS preflights included — carries the header, and it writes one access line.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pricing_service.observability.logging import get_logger

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")  # ASGI header names are lowercase
# Kept only when it is short and plain, so a client cannot inject into logs or headers.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

access_log = get_logger("pricing_service.access")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The client's id when well-formed, else a fresh one (never the raw value)."""
    if value is not None and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


def _client_request_id(scope: Scope) -> str | None:
    # What Headers(scope=scope).get() returns (the first such header), without building it.
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for key, value in headers:
        if key == _REQUEST_ID_KEY:
            return value.decode("latin-1")
    return None


def request_id_of(scope: Scope) -> str:
    state = scope.get("state") or {}
    request_id = state.get("request_id")
    return request_id if isinstance(request_id, str) else new_request_id()


def route_template(scope: Scope) -> str:
    """The matched route's path template, never the raw URL (bounded label cardinality)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_request_id(_client_request_id(scope))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        # Tokens rather than bound_contextvars(): the same unbinding at a third of the cost.
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            try:
                access_log.info(
                    "request",
                    method=scope["method"],
                    route=route_template(scope),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            finally:
                structlog.contextvars.reset_contextvars(**tokens)
