"""The one list of routes that answer without a token. Everything else requires a JWT.

A test (JWT-11) walks ``app.routes`` and asserts that every route not listed here answers 401
without a token, so a new route cannot ship open by accident. Add to this list only with a
reason, reviewed by @acme/identity (CODEOWNERS).
"""

from __future__ import annotations

PUBLIC_PATHS: frozenset[str] = frozenset(
    {
        "/health/live",
        "/health/ready",
        "/api/auth/login",
        "/api/auth/refresh",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
        "/metrics",  # gated by its own setting (observability), scraped without a JWT
    }
)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS
