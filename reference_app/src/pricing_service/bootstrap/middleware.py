"""Middleware, outermost first: request context → metrics → CORS → error boundary → routes."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from pricing_service.bootstrap.errors import UnhandledErrorMiddleware
from pricing_service.observability.metrics import MetricsMiddleware
from pricing_service.observability.request_context import (
    REQUEST_ID_HEADER,
    RequestContextMiddleware,
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


def register_middleware(app: FastAPI, settings: Settings) -> None:
    # Starlette wraps in reverse order of addition: the last added is the outermost.
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=CORS_ALLOWED_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
        allow_credentials=False,  # bearer tokens, not cookies
        max_age=600,
    )
    app.add_middleware(MetricsMiddleware)  # inside request context: sees every final status
    app.add_middleware(RequestContextMiddleware)
