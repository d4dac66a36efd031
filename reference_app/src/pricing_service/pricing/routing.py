"""The pricing routes' request handling: exact JSON numbers and money-specific problem codes.

``PricingRoute`` (FastAPI's documented custom ``APIRoute`` hook) does two things:

* parses the JSON body with ``parse_float=Decimal``, so a JSON number such as ``1999.9`` or
  ``1e309`` reaches validation as the exact decimal it spells, never as a binary float; NaN and
  Infinity (which Python's json accepts) become Decimal NaN/Infinity and are refused;
* refuses a body larger than the route's ``body_limit`` with a 413 ``payload_too_large`` problem
  before parsing it (by Content-Length, or while reading a body sent without one);
* answers a body that breaks a money rule with that rule's stable code (``money_not_finite``,
  ``money_too_many_decimals``, ...) instead of the generic ``validation_failed``, keeping the
  same ``errors`` list of JSON pointers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from pricing_service.errors import PAYLOAD_TOO_LARGE, REGISTRY, ProblemError, ProblemType
from pricing_service.pricing import problems

# The validation codes this domain raises from pydantic validators (money, currency, references).
_VALIDATION_PROBLEMS: dict[str, ProblemType] = {
    p.code: p
    for p in vars(problems).values()
    if isinstance(p, ProblemType) and p.status == 422 and p.code in REGISTRY
}


class DecimalJSONRequest(Request):
    """A request whose JSON numbers with a fraction or exponent parse as ``Decimal``."""

    _decimal_json: Any

    async def read_limited(self, limit: int) -> None:
        """Read (and cache) the body, refusing more than ``limit`` bytes."""
        declared = self.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        async for chunk in self.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        self._body = b"".join(chunks)  # Request.body() returns this cached value

    async def json(self) -> Any:
        if not hasattr(self, "_decimal_json"):
            self._decimal_json = json.loads(
                await self.body(), parse_float=Decimal, parse_constant=Decimal
            )
        return self._decimal_json


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        PAYLOAD_TOO_LARGE, f"the body exceeds {limit} bytes for this endpoint", max_bytes=limit
    )


def _pointer(loc: tuple[int | str, ...]) -> str:
    parts = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped) if parts else "#"


def pricing_problem(errors: Any) -> ProblemError | None:
    """The problem for validation errors that include a pricing rule, else None (generic 422)."""
    problem = next(
        (_VALIDATION_PROBLEMS[e["type"]] for e in errors if e.get("type") in _VALIDATION_PROBLEMS),
        None,
    )
    if problem is None:
        return None
    items = [
        {"pointer": _pointer(tuple(e.get("loc", ()))), "detail": str(e.get("msg", ""))}
        for e in errors
    ]
    detail = "; ".join(f"{e['pointer']} {e['detail']}" for e in items[:3])
    if len(items) > 3:
        detail += f" (and {len(items) - 3} more)"
    return ProblemError(problem, detail[:500], errors=items)


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class PricingRoute(APIRoute):
    body_limit = 64 * 1024  # one product or one price is far below this

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        limit = self.body_limit

        async def route_handler(request: Request) -> Response:
            decimal_request = DecimalJSONRequest(request.scope, request.receive)
            if request.method in _BODY_METHODS:
                await decimal_request.read_limited(limit)
            try:
                return await handler(decimal_request)
            except RequestValidationError as error:
                problem = pricing_problem(error.errors())
                if problem is None:
                    raise
                raise problem from None

        return route_handler


class BulkPricingRoute(PricingRoute):
    body_limit = 4 * 1024 * 1024  # 5,000 items (the BULK_MAX_ITEMS ceiling) with a reason each
