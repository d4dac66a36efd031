"""The one problem+json handler set: every error, expected or not, leaves as RFC 9457."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pricing_service.db import SAFE_METHODS
from pricing_service.errors import (
    INTERNAL_ERROR,
    PROBLEM_MEDIA_TYPE,
    VALIDATION_FAILED,
    ProblemError,
    ProblemType,
    for_status,
)
from pricing_service.observability.logging import get_logger
from pricing_service.observability.request_context import request_id_of

logger = get_logger("pricing_service.errors")


def problem_response(
    scope: Scope,
    problem: ProblemType,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type_uri,
        "title": problem.title,
        "status": problem.status,
        "detail": detail,
        "instance": scope.get("path", ""),
        "code": problem.code,
        "request_id": request_id_of(scope),
    }
    body.update(extensions or {})
    return JSONResponse(
        body, status_code=problem.status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE
    )


def _pointer(loc: tuple[int | str, ...]) -> str:
    """RFC 6901 pointer: '#/price' for body members, '#/query/limit' for parameters."""
    parts = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped) if parts else "#"


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request.scope, exc.problem, exc.detail, headers=exc.headers, extensions=exc.extensions
    )


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = for_status(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else problem.title
    return problem_response(request.scope, problem, detail, headers=exc.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"pointer": _pointer(tuple(e.get("loc", ()))), "detail": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    count = len(errors)
    detail = f"{count} invalid field{'s' if count != 1 else ''}: " + "; ".join(
        f"{e['pointer']} {e['detail']}" for e in errors[:3]
    )
    return problem_response(
        request.scope, VALIDATION_FAILED, detail[:500], extensions={"errors": errors}
    )


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation)


def lost_connection(error: BaseException) -> bool:
    """The database connection died under the statement (a restart, a failover, a killed
    backend): SQLAlchemy has already invalidated the pool, so a new attempt gets a new one."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


class UnhandledErrorMiddleware:
    """Turns any unhandled exception into a 500 problem, inside the CORS and request-id layers.

    This is the one boundary allowed to catch every exception: it logs the traceback with the
    request_id and never sends exception text to the client.

    An idempotent read (GET, HEAD, OPTIONS) whose database connection was lost before it answered
    is run once more, on a fresh connection: after a PostgreSQL restart every pooled connection
    is dead, and without this each worker's first request after it failed. Writes are never
    re-run (their first attempt may have committed).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False
        idempotent = scope["method"] in SAFE_METHODS
        received: list[Message] = []  # what the first run of a read took from receive()
        retried = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        async def recording_receive() -> Message:
            if retried and received:
                return received.pop(0)  # the second run reads what the first one did
            message = await receive()
            if not retried:
                received.append(message)
            return message

        try:
            try:
                await self.app(scope, recording_receive if idempotent else receive, tracking_send)
            except DBAPIError as error:
                if response_started or not idempotent or not lost_connection(error):
                    raise
                logger.warning("read_retried_after_lost_connection", path=scope.get("path"))
                retried = True
                await self.app(scope, recording_receive, tracking_send)
        except Exception:  # the problem boundary: log with context, answer 500
            logger.exception("unhandled_error", method=scope.get("method"), path=scope.get("path"))
            if response_started:
                raise
            response = problem_response(
                scope,
                INTERNAL_ERROR,
                "An unexpected error occurred. Quote the request_id when reporting it.",
            )
            await response(scope, receive, send)
