"""The pricing routes' request handling: exact JSON numbers and money-specific problem codes.

``PricingRoute`` (FastAPI's documented custom ``APIRoute`` hook) does three things:

* parses the JSON body with ``parse_float=Decimal``, so a JSON number such as ``1999.9`` or
  ``1e309`` reaches validation as the exact decimal it spells, never as a binary float; NaN and
  Infinity (which Python's json accepts) become Decimal NaN/Infinity and are refused;
* declares the route's ``body_limit``, which the one body-limit middleware enforces for every
  route (bootstrap/middleware.py): a 413 ``payload_too_large`` before the body is read;
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

from pricing_service.core.errors import REGISTRY, ProblemError, ProblemType
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

    async def json(self) -> Any:
        if not hasattr(self, "_decimal_json"):
            self._decimal_json = json.loads(
                await self.body(), parse_float=Decimal, parse_constant=Decimal
            )
        return self._decimal_json


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


class PricingRoute(APIRoute):
    body_limit = 64 * 1024  # one product or one price is far below this

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            decimal_request = DecimalJSONRequest(request.scope, request.receive)
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
