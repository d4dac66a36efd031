"""The problem+json error contract (RFC 9457), shared by every endpoint.

Domain code raises :class:`ProblemError` with a :class:`ProblemType`; the handlers in
``bootstrap.errors`` turn it (and every other error) into one ``application/problem+json`` body
with ``type``, ``title``, ``status``, ``detail``, ``instance``, ``code`` and ``request_id``.
Every code is listed in ``policies/error-contract.md``; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
    """An error a client caused or must know about, rendered as problem+json."""

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
