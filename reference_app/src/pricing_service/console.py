"""Serve the built pricing console (``frontend/dist``) to browsers, behind every API route.

The console is not a route: it is the router's fallback, called only for requests that no route
matched, so it can never shadow ``/api``, ``/health``, ``/docs`` or ``/metrics``, and the JWT-11
walk over ``app.routes`` still sees only the API. It answers:

- ``GET``/``HEAD`` of a file in the build (``/assets/index-3f2a.js``): the file; hashed assets are
  cached for a year, everything else is revalidated;
- ``/`` and a browser navigation (``Accept: text/html``) to a client route such as
  ``/products/12``: ``index.html``, so deep links and reloads work (the SPA fallback);
- anything else, and any path under a reserved API prefix: the usual 404 problem+json.

The files hold no data: every call the console makes goes through the JWT-protected API.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from pricing_service.core.logging import get_logger
from pricing_service.settings import Settings

logger = get_logger(__name__)

# Never answered with console files, even when no route matched (a typo in an API path must
# stay a problem+json 404, not an HTML page).
RESERVED_PREFIXES = ("/api", "/health", "/docs", "/redoc", "/openapi.json", "/metrics")
IMMUTABLE = "public, max-age=31536000, immutable"  # Vite puts a content hash in these names
REVALIDATE = "no-cache"
# The build has no inline script or style, so the page may load only its own files.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


def _accepts_html(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept":
            return b"text/html" in value
    return False


class ConsoleFallback:
    """The router's ``default`` app: console files for browsers, ``not_found`` for the rest."""

    def __init__(self, directory: Path, not_found: ASGIApp) -> None:
        self.index = directory / "index.html"
        self.files = StaticFiles(directory=directory)
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "/")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or _reserved(path.rstrip("/") or "/")
        ):
            await self.not_found(scope, receive, send)
            return
        response = await self._file(path.lstrip("/"), scope)
        if response is None and (path == "/" or _accepts_html(scope)):
            response = FileResponse(self.index, headers={"Cache-Control": REVALIDATE})
        if response is None:
            await self.not_found(scope, receive, send)
            return
        response.headers.update(SECURITY_HEADERS)
        await response(scope, receive, send)

    async def _file(self, relative: str, scope: Scope) -> Response | None:
        """The build's file at this path (StaticFiles refuses ``..`` escapes), or None."""
        if not relative or relative.endswith("/"):
            return None
        try:
            response = await self.files.get_response(relative, scope)
        except HTTPException as error:
            if error.status_code == 404:
                return None
            raise
        immutable = relative.startswith("assets/")
        response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
        return response


def register_console(app: FastAPI, settings: Settings) -> None:
    """Serve the built console when there is one; call it after every router is included."""
    directory = settings.console_root
    if directory is None:
        logger.debug("console_not_built", hint="cd frontend && npm ci && npm run build")
        return
    app.router.default = ConsoleFallback(directory, app.router.not_found)
    logger.info("console_served", directory=str(directory))
