"""The one problem+json assertion of the tests (policies/error-contract.md)."""

from __future__ import annotations

from typing import Any

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """RESPONSE is a problem+json STATUS with CODE and the request id of its header; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["request_id"] == response.headers["x-request-id"]
    return body
