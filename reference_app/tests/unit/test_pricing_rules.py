"""Version preconditions (If-Match / version) and price guardrails, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing_service.core.errors import ProblemError
from pricing_service.core.settings import SettingsError
from pricing_service.pricing.rules import (
    VersionMismatchError,
    accepted_versions,
    bounds_violation,
    etag,
    guardrail_violation,
)
from pricing_service.settings import load_settings


def test_etag_is_the_quoted_version() -> None:
    assert etag(7) == '"7"'


@pytest.mark.parametrize(
    ("if_match", "body_version", "expected"),
    [
        ('"3"', None, {3}),
        (' "3" , "4" ', None, {3, 4}),
        ('W/"3"', None, set()),  # strong comparison: a weak tag matches nothing
        ('W/"3", "5"', None, {5}),
        ('"abc"', None, set()),  # a well-formed tag that is no version of ours
        ('""', None, set()),
        (None, 2, {2}),
        ("", 2, {2}),
        ('"2"', 2, {2}),
    ],
)
def test_accepted_versions(
    if_match: str | None, body_version: int | None, expected: set[int]
) -> None:
    assert accepted_versions(if_match, body_version) == expected


@pytest.mark.parametrize(
    ("if_match", "body_version", "code"),
    [
        (None, None, "precondition_required"),
        ("  ", None, "precondition_required"),
        ("*", None, "precondition_required"),
        ("3", None, "if_match_invalid"),
        ('"3" "4"', None, "if_match_invalid"),
        ('"3",', None, "if_match_invalid"),
        ('"3"', 4, "if_match_invalid"),
    ],
)
def test_missing_or_malformed_preconditions(
    if_match: str | None, body_version: int | None, code: str
) -> None:
    with pytest.raises(ProblemError) as caught:
        accepted_versions(if_match, body_version)
    assert caught.value.problem.code == code


def test_stale_version_carries_the_current_version_and_etag() -> None:
    error = VersionMismatchError(5)
    assert error.problem.status == 412
    assert error.extensions == {"current_version": 5}
    assert error.headers == {"ETag": '"5"'}


def _check(new: str, old: str = "100", ratio: str = "0.5") -> str | None:
    violation = guardrail_violation(
        old_price=Decimal(old),
        new_price=Decimal(new),
        min_price=Decimal("10"),
        max_price=Decimal("1000"),
        max_change_ratio=Decimal(ratio),
    )
    return violation.problem.code if violation else None


@pytest.mark.parametrize(
    ("new", "old", "ratio", "code"),
    [
        ("150.00", "100", "0.5", None),
        ("50.00", "100", "0.5", None),
        ("150.01", "100", "0.5", "price_change_too_large"),
        ("49.99", "100", "0.5", "price_change_too_large"),
        ("110.00", "100", "0.1", None),
        ("110.01", "100", "0.1", "price_change_too_large"),
        ("9.99", "10", "0.5", "price_outside_bounds"),
        ("1000.01", "900", "0.5", "price_outside_bounds"),
        ("1000.00", "900", "0.5", None),
    ],
)
def test_guardrails(new: str, old: str, ratio: str, code: str | None) -> None:
    assert _check(new, old, ratio) == code


def test_bounds_violation_names_the_bounds() -> None:
    assert bounds_violation(Decimal("5"), Decimal("1"), Decimal("10")) is None
    violation = bounds_violation(Decimal("5"), Decimal("6"), Decimal("10"))
    assert violation is not None
    assert violation.extensions == {"min_price": "6.00", "max_price": "10.00"}
    inverted = bounds_violation(Decimal("5"), Decimal("10"), Decimal("6"))
    assert inverted is not None
    assert "above max_price" in inverted.detail


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_price_change_ratio", "0"),
        ("max_price_change_ratio", "abc"),
        ("bulk_max_items", "5001"),
        ("idempotency_key_ttl_hours", "0"),
    ],
)
def test_pricing_settings_refuse_bad_values_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **{name: value})
    message = str(caught.value)
    assert message.startswith(f"invalid settings: {name.upper()}: ")
    assert "\n" not in message


def test_pricing_settings_defaults() -> None:
    settings = load_settings(_env_file=None, app_env="test")
    assert settings.max_price_change_ratio == Decimal("0.5")
    assert settings.bulk_max_items == 1000
    assert settings.idempotency_key_ttl_hours == 24
