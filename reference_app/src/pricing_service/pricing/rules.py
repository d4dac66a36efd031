"""Pure pricing rules: version preconditions (If-Match / version) and price guardrails."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pricing_service.core.errors import DomainError, ProblemError, ProblemType
from pricing_service.pricing.money import format_amount
from pricing_service.pricing.problems import (
    IF_MATCH_INVALID,
    PRECONDITION_REQUIRED,
    PRICE_CHANGE_TOO_LARGE,
    PRICE_OUTSIDE_BOUNDS,
    VERSION_MISMATCH,
)

# One entity tag: an optional weak prefix and a quoted opaque value (RFC 9110 section 8.8.3).
_ENTITY_TAG = re.compile(r'(W/)?"([\x21\x23-\x7e]*)"')


def etag(version: int) -> str:
    """The strong ETag of a product version."""
    return f'"{version}"'


def accepted_versions(if_match: str | None, body_version: int | None) -> frozenset[int]:
    """The versions the client says it read: from If-Match, or the body's ``version``.

    If-Match uses the strong comparison of RFC 9110: a weak tag (W/"3") matches nothing, so the
    update then fails with 412. ``*`` names no version and is refused like a missing header.
    """
    if if_match is None or not if_match.strip():
        if body_version is None:
            raise ProblemError(
                PRECONDITION_REQUIRED,
                'send the version you read as If-Match: "<version>" (the ETag) or as "version"',
            )
        return frozenset({body_version})
    if if_match.strip() == "*":
        raise ProblemError(
            PRECONDITION_REQUIRED, 'If-Match: * names no version; send If-Match: "<version>"'
        )
    versions: set[int] = set()
    for token in if_match.split(","):
        match = _ENTITY_TAG.fullmatch(token.strip())
        if match is None:
            raise ProblemError(
                IF_MATCH_INVALID,
                f'If-Match must be a quoted ETag such as "3", got {token.strip()!r}',
            )
        weak, value = match.groups()
        if weak is None and value.isdigit() and len(value) <= 10:
            versions.add(int(value))
    if body_version is not None and body_version not in versions:
        raise ProblemError(IF_MATCH_INVALID, "If-Match and version name different versions")
    return frozenset(versions)


class VersionMismatchError(DomainError):
    """The If-Match / version names a version the product has left behind."""

    PROBLEM = VERSION_MISMATCH

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"the product changed: it is now at version {current_version}; read it again and retry",
            headers={"ETag": etag(current_version)},
            current_version=current_version,
        )


@dataclass(frozen=True)
class Violation:
    """A broken guardrail: its problem type, a sentence, and the numbers behind it."""

    problem: ProblemType
    detail: str
    extensions: dict[str, Any] = field(default_factory=dict)

    def error(self) -> ProblemError:
        return ProblemError(self.problem, self.detail, **self.extensions)


def guardrail_violation(
    *,
    old_price: Decimal,
    new_price: Decimal,
    min_price: Decimal,
    max_price: Decimal,
    max_change_ratio: Decimal,
) -> Violation | None:
    """None when ``new_price`` may replace ``old_price``; else the first rule it breaks."""
    if not min_price <= new_price <= max_price:
        return Violation(
            PRICE_OUTSIDE_BOUNDS,
            f"price {format_amount(new_price)} is outside "
            f"[{format_amount(min_price)}, {format_amount(max_price)}]",
            {"min_price": format_amount(min_price), "max_price": format_amount(max_price)},
        )
    if old_price > 0 and abs(new_price - old_price) > old_price * max_change_ratio:
        return Violation(
            PRICE_CHANGE_TOO_LARGE,
            f"price {format_amount(new_price)} changes {format_amount(old_price)} by more than "
            f"{max_change_ratio:%}",
            {"max_change_ratio": str(max_change_ratio), "old_price": format_amount(old_price)},
        )
    return None


def bounds_violation(price: Decimal, min_price: Decimal, max_price: Decimal) -> Violation | None:
    """Product creation and edits: min_price <= price <= max_price."""
    if min_price > max_price:
        return Violation(
            PRICE_OUTSIDE_BOUNDS,
            f"min_price {format_amount(min_price)} is above max_price {format_amount(max_price)}",
            {"min_price": format_amount(min_price), "max_price": format_amount(max_price)},
        )
    if not min_price <= price <= max_price:
        return Violation(
            PRICE_OUTSIDE_BOUNDS,
            f"price {format_amount(price)} is outside "
            f"[{format_amount(min_price)}, {format_amount(max_price)}]",
            {"min_price": format_amount(min_price), "max_price": format_amount(max_price)},
        )
    return None
