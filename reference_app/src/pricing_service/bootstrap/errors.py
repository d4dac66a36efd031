"""The one problem+json handler set: every error, expected or not, leaves as RFC 9457."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from pricing_service.errors import (
    PROBLEM_MEDIA_TYPE,
    VALIDATION_FAILED,
    ProblemError,
    ProblemType,
    for_status,
)
from pricing_service.observability.request_context import request_id_of


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
