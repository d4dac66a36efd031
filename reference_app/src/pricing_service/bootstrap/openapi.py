"""The OpenAPI document: every operation documents its problem+json errors, with examples.

FastAPI's default 422 schema (HTTPValidationError) is replaced by the problem contract.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from pricing_service.core.errors import (
    INTERNAL_ERROR,
    PROBLEM_MEDIA_TYPE,
    REGISTRY,
    VALIDATION_FAILED,
    Problem,
)

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _example(status: int, path: str) -> dict[str, Any]:
    problem = next((p for p in REGISTRY.values() if p.status == status), None)
    code = problem.code if problem else f"http_{status}"
    body: dict[str, Any] = {
        "type": problem.type_uri if problem else "about:blank",
        "title": problem.title if problem else f"HTTP error {status}",
        "status": status,
        "detail": "a sentence saying what went wrong and how to fix it",
        "instance": path,
        "code": code,
        "request_id": "3f2a9c1e6b7d4e0f8a1b2c3d4e5f6a7b",
    }
    if status == VALIDATION_FAILED.status:
        body["errors"] = [{"pointer": "#/price", "detail": "Input should be greater than 0"}]
    return body


def _problem_content(status: int, path: str) -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF, "example": _example(status, path)}}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for name, definition in components["Problem"].pop("$defs", {}).items():
            components.setdefault(name, definition)
        for path, item in schema.get("paths", {}).items():
            for operation in item.values():
                responses: dict[str, Any] = operation.setdefault("responses", {})
                if "requestBody" in operation:  # bytes that are not text: bad_request
                    responses.setdefault("400", {"description": "Body cannot be decoded"})
                    # Every route has a body limit (bootstrap/middleware.py), refused unread.
                    responses.setdefault("413", {"description": "Body too large"})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = _problem_content(int(status), path)
                        response.setdefault("description", "Problem")
                responses.setdefault(
                    str(INTERNAL_ERROR.status),
                    {
                        "description": "Unexpected error (no internals are disclosed)",
                        "content": _problem_content(INTERNAL_ERROR.status, path),
                    },
                )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
