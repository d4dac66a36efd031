"""The problem+json error contract (RFC 9457), shared by every endpoint, and its one handler.

Each domain declares its problem types (``problem_type``) and exceptions that carry one
(:class:`DomainError` subclasses); services raise them, routers never translate them, and
:func:`problem_handler` turns them (and every framework error) into one
``application/problem+json`` body with ``type``, ``title``, ``status``, ``detail``,
``instance``, ``code`` and ``request_id``. Every code is listed in
``policies/error-contract.md``; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from pricing_service.core.request_context import request_id_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://pricing-service.dev/problems/"


@dataclass(frozen=True)
class ProblemType:
    """A kind of error: a stable snake_case code, its HTTP status and a short title."""

    code: str
    status: int
    title: str

    @property
    def type_uri(self) -> str:
        return PROBLEM_TYPE_BASE + self.code.replace("_", "-")


REGISTRY: dict[str, ProblemType] = {}


def problem_type(code: str, status: int, title: str) -> ProblemType:
    """Declare a problem type once; every module declares its own at import time."""
    if code in REGISTRY and REGISTRY[code] != ProblemType(code, status, title):
        raise ValueError(f"problem code {code!r} declared twice with different meanings")
    REGISTRY[code] = ProblemType(code, status, title)
    return REGISTRY[code]


BAD_REQUEST = problem_type("bad_request", 400, "Bad request")
NOT_FOUND = problem_type("not_found", 404, "Resource not found")
METHOD_NOT_ALLOWED = problem_type("method_not_allowed", 405, "Method not allowed")
NOT_ACCEPTABLE = problem_type("not_acceptable", 406, "Not acceptable")
PAYLOAD_TOO_LARGE = problem_type("payload_too_large", 413, "Payload too large")
UNSUPPORTED_MEDIA_TYPE = problem_type("unsupported_media_type", 415, "Unsupported media type")
VALIDATION_FAILED = problem_type("validation_failed", 422, "Request validation failed")
INTERNAL_ERROR = problem_type("internal_error", 500, "Internal server error")
SERVICE_UNAVAILABLE = problem_type("service_unavailable", 503, "Service unavailable")

# Starlette raises bare HTTPExceptions for these statuses; map them to stable codes.
_BY_STATUS = {
    p.status: p
    for p in (
        BAD_REQUEST,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        PAYLOAD_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        INTERNAL_ERROR,
        SERVICE_UNAVAILABLE,
    )
}


def for_status(status: int) -> ProblemType:
    """The problem type for a bare HTTP status (framework-raised errors)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ProblemType(code=f"http_{status}", status=status, title=f"HTTP error {status}")


class ProblemError(Exception):
    """An error a client caused or must know about, rendered as problem+json.

    Raise a :class:`DomainError` subclass where the problem type is fixed; this class itself
    where code picks the type at run time (a rule that names its own type, a batch item's outcome).
    """

    def __init__(
        self,
        problem: ProblemType,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = extensions


class DomainError(ProblemError):
    """A domain exception that carries its problem type: ``PROBLEM`` is declared once per class."""

    PROBLEM: ClassVar[ProblemType]

    def __init__(
        self, detail: str, *, headers: Mapping[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(self.PROBLEM, detail, headers=headers, **extensions)


class FieldError(BaseModel):
    pointer: str = Field(
        description="JSON pointer to the offending member ('#/price', "
        "or '#/query/limit' for a parameter)"
    )
    detail: str


class Problem(BaseModel):
    """An RFC 9457 problem details body. Extensions beyond these may appear per code."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": NOT_FOUND.type_uri,
                    "title": NOT_FOUND.title,
                    "status": 404,
                    "detail": "product 42 does not exist",
                    "instance": "/api/products/42",
                    "code": "not_found",
                    "request_id": "3f2a9c1e6b7d4e0f8a1b2c3d4e5f6a7b",
                }
            ]
        },
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str = Field(description="Stable snake_case error code (policies/error-contract.md)")
    request_id: str
    errors: list[FieldError] | None = Field(
        default=None, description="Per-field errors; present on validation_failed (422)"
    )


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


def as_problem(exc: Exception) -> ProblemError:
    """Any error the handler is registered for, as the ProblemError it stands for."""
    if isinstance(exc, ProblemError):
        return exc
    if isinstance(exc, RequestValidationError):
        errors = [
            {"pointer": _pointer(tuple(e.get("loc", ()))), "detail": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        count = len(errors)
        detail = f"{count} invalid field{'s' if count != 1 else ''}: " + "; ".join(
            f"{e['pointer']} {e['detail']}" for e in errors[:3]
        )
        return ProblemError(VALIDATION_FAILED, detail[:500], errors=errors)
    if isinstance(exc, StarletteHTTPException):
        problem = for_status(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else problem.title
        return ProblemError(problem, detail, headers=exc.headers)
    raise TypeError(f"no problem type for {type(exc).__name__}")  # never registered for it


async def problem_handler(request: Request, exc: Exception) -> JSONResponse:
    """The one exception handler: domain, validation and HTTP errors leave as problem+json.
    (Unexpected errors become a 500 problem in ``bootstrap.middleware``, which logs them.)"""
    problem = as_problem(exc)
    return problem_response(
        request.scope,
        problem.problem,
        problem.detail,
        headers=problem.headers,
        extensions=problem.extensions,
    )


def register_error_handlers(app: FastAPI) -> None:
    for handled in (ProblemError, StarletteHTTPException, RequestValidationError):
        app.add_exception_handler(handled, problem_handler)
