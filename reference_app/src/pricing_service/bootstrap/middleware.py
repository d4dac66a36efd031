"""The service's one middleware layer, pure ASGI: everything each HTTP request gets on its way.

In the order a request meets them (the behaviour of the four layers it replaces, ADR 0010):

1. **request id**: the client's X-Request-ID when well-formed, else a fresh one; in the scope's
   state, bound to every log line, and on every response (500s and CORS preflights included);
2. **CORS** (ADR 0001), Starlette's policy used as a library: a preflight is answered here, other
   responses get the allow/expose headers (or ``Vary: Origin``);
3. **the problem+json boundary**: any exception the routes let through becomes a 500 problem,
   logged with its traceback, its text never sent;
4. **metrics** (``http_request_duration_seconds``, ``http_requests_total``) and **the access
   line**, once the final status is known.

One layer instead of four saves three closures, three wrapped ``send``s and three passes over the
headers per request (reference_app/bench: BENCHMARKS.md, API load).
"""

from __future__ import annotations

import time

import structlog
from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pricing_service.bootstrap.errors import problem_response
from pricing_service.errors import INTERNAL_ERROR
from pricing_service.observability.logging import get_logger
from pricing_service.observability.metrics import record_request
from pricing_service.observability.request_context import (
    REQUEST_ID_HEADER,
    accept_request_id,
    route_template,
)
from pricing_service.settings import Settings

CORS_ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "Idempotency-Key",
    REQUEST_ID_HEADER,
]
CORS_EXPOSED_HEADERS = [REQUEST_ID_HEADER, "ETag", "Location", "Retry-After", "WWW-Authenticate"]
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")  # ASGI header names are lowercase

_INTERNAL_DETAIL = "An unexpected error occurred. Quote the request_id when reporting it."

access_log = get_logger("pricing_service.access")
error_log = get_logger("pricing_service.errors")


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


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cors = cors_policy(app, settings)  # its methods only: it is not a layer here

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        client_id: str | None = None
        origin = False
        for key, value in scope["headers"]:  # one pass: what Headers.get() would return
            if key == _REQUEST_ID_KEY and client_id is None:
                client_id = value.decode("latin-1")
            elif key == b"origin":
                origin = True
        request_id = accept_request_id(client_id)
        scope.setdefault("state", {})["request_id"] = request_id
        request_headers = Headers(scope=scope)
        cors_send = self.cors.send
        status = 500  # what the client gets when the app raises before answering
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
                await cors_send(message, send, request_headers)
                return
            await send(message)

        # Tokens rather than bound_contextvars(): the same unbinding at a third of the cost.
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            if (
                origin
                and scope["method"] == "OPTIONS"
                and "access-control-request-method" in request_headers
            ):
                preflight = self.cors.preflight_response(request_headers=request_headers)
                await preflight(scope, receive, send_with_headers)
            else:
                try:
                    await self.app(scope, receive, send_with_headers)
                except Exception:  # the problem boundary: log with context, answer 500
                    error_log.exception(
                        "unhandled_error", method=scope["method"], path=scope["path"]
                    )
                    if response_started:
                        raise
                    problem = problem_response(scope, INTERNAL_ERROR, _INTERNAL_DETAIL)
                    await problem(scope, receive, send_with_headers)
        finally:
            try:
                route = route_template(scope)
                duration = time.perf_counter() - started
                record_request(scope["method"], route, status, duration)
                access_log.info(
                    "request",
                    method=scope["method"],
                    route=route,
                    status=status,
                    duration_ms=round(duration * 1000, 2),
                )
            finally:
                structlog.contextvars.reset_contextvars(**tokens)


def register_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(ServiceMiddleware, settings=settings)
