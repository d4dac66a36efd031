"""Money parsing: exact decimals, each broken rule with its own code, never a float."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from pricing_service.pricing.money import (
    Currency,
    MoneyError,
    NonNegativeMoney,
    PositiveMoney,
    format_amount,
    parse_amount,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1999.90", "1999.90"),
        ("1999.9", "1999.90"),
        ("1.990", "1.99"),
        ("0.1", "0.10"),
        ("1E+2", "100.00"),
        ("-0", "0.00"),
        ("9999999999.99", "9999999999.99"),
        (5, "5.00"),
        (Decimal("12.5"), "12.50"),
    ],
)
def test_valid_amounts_are_exact_with_two_places(value: object, expected: str) -> None:
    amount = parse_amount(value)
    assert format_amount(amount) == expected
    assert amount == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "money_not_a_number"),
        ("", "money_not_a_number"),
        (" 1", "money_not_a_number"),
        ("1_000", "money_not_a_number"),
        ("0x10", "money_not_a_number"),
        (True, "money_not_a_number"),
        (None, "money_not_a_number"),
        (1.5, "money_not_a_number"),  # a binary float is refused, never rounded
        ([1], "money_not_a_number"),
        ("NaN", "money_not_finite"),
        ("-inf", "money_not_finite"),
        ("Infinity", "money_not_finite"),
        ("sNaN", "money_not_finite"),
        (Decimal("NaN"), "money_not_finite"),
        (Decimal("-Infinity"), "money_not_finite"),
        ("1e309", "money_too_large"),
        (Decimal("1E+309"), "money_too_large"),
        ("10000000000", "money_too_large"),
        ("-10000000000", "money_too_large"),
        ("1.999", "money_too_many_decimals"),
        ("0.001", "money_too_many_decimals"),
        ("1.0000000000000000000000000000000001", "money_too_many_decimals"),
    ],
)
def test_each_broken_rule_has_its_code(value: object, code: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_amount(value)
    assert caught.value.problem.code == code


class Prices(BaseModel):
    price: PositiveMoney
    cost: NonNegativeMoney
    currency: Currency


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("price", "0", "money_not_positive"),
        ("price", "-0.01", "money_not_positive"),
        ("cost", "-0.01", "money_negative"),
        ("currency", "usd", "unknown_currency"),
        ("currency", "XAU", "unknown_currency"),
        ("currency", 840, "unknown_currency"),
    ],
)
def test_pydantic_types_raise_the_problem_code_as_error_type(
    field: str, value: object, code: str
) -> None:
    data: dict[str, object] = {"price": "1.00", "cost": "0", "currency": "ARS", field: value}
    with pytest.raises(ValidationError) as caught:
        Prices.model_validate(data)
    assert [e["type"] for e in caught.value.errors()] == [code]


def test_amounts_serialize_as_two_place_strings_in_json_and_stay_decimal_in_python() -> None:
    prices = Prices.model_validate({"price": "1999.9", "cost": 0, "currency": "ARS"})
    assert json.loads(prices.model_dump_json()) == {
        "price": "1999.90",
        "cost": "0.00",
        "currency": "ARS",
    }
    assert prices.model_dump()["price"] == Decimal("1999.90")


def test_the_json_schema_says_decimal_string() -> None:
    schema = Prices.model_json_schema(mode="serialization")["properties"]["price"]
    assert schema["type"] == "string"
    assert schema["pattern"] == r"^\d{1,10}(\.\d{1,2})?$"
    # Requests may also send a JSON number (policies/pricing.md): the input schema says so.
    accepted = Prices.model_json_schema(mode="validation")["properties"]["price"]["anyOf"]
    assert [branch["type"] for branch in accepted] == ["string", "number"]
