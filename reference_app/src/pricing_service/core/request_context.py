"""Request correlation: one well-formed X-Request-ID per request, in every log line and response.

``bootstrap.middleware`` (the service's one layer) accepts or makes the id, binds it to the log
context and puts it on every response, 500s and CORS preflights included.
"""

from __future__ import annotations

import re
import uuid

from starlette.types import Scope

REQUEST_ID_HEADER = "X-Request-ID"
# Kept only when it is short and plain, so a client cannot inject into logs or headers.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The client's id when well-formed, else a fresh one (never the raw value)."""
    if value is not None and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


def request_id_of(scope: Scope) -> str:
    state = scope.get("state") or {}
    request_id = state.get("request_id")
    return request_id if isinstance(request_id, str) else new_request_id()


def route_template(scope: Scope) -> str:
    """The matched route's path template, never the raw URL (bounded label cardinality)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"
