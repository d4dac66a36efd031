"""Money: exact decimal amounts with two places, parsed without ever passing through a float.

Amounts travel as JSON strings ("1999.90"). JSON numbers are accepted too: the pricing routes parse
them from the raw text as ``Decimal`` (see ``routing.DecimalJSONRoute``), so ``19.999`` is refused
for its third decimal instead of being rounded by a binary float. A Python ``float`` is refused.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from pricing_service.core.errors import ProblemType
from pricing_service.pricing.problems import (
    MONEY_NEGATIVE,
    MONEY_NOT_A_NUMBER,
    MONEY_NOT_FINITE,
    MONEY_NOT_POSITIVE,
    MONEY_TOO_LARGE,
    MONEY_TOO_MANY_DECIMALS,
    UNKNOWN_CURRENCY,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # what a Numeric(12, 2) column holds
_MAX_ADJUSTED = MAX_AMOUNT.adjusted()  # the exponent of its leading digit: 9
_DECIMAL_TEXT = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_NON_FINITE_TEXT = re.compile(r"[+-]?(s?nan|inf|infinity)", re.IGNORECASE)
AMOUNT_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"


class MoneyError(ValueError):
    """An amount breaks a money rule; ``problem`` is the stable code to answer with."""

    def __init__(self, problem: ProblemType, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


def parse_amount(value: object) -> Decimal:
    """An exact amount with two decimal places, or MoneyError naming the rule it breaks."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str):
        if _NON_FINITE_TEXT.fullmatch(value):
            raise MoneyError(MONEY_NOT_FINITE, 'must be a finite amount such as "1999.90"')
        if not _DECIMAL_TEXT.fullmatch(value):
            raise MoneyError(MONEY_NOT_A_NUMBER, 'must be a decimal amount such as "1999.90"')
        amount = Decimal(value)
    else:
        raise MoneyError(MONEY_NOT_A_NUMBER, 'must be a decimal amount such as "1999.90"')
    if not amount.is_finite():
        raise MoneyError(MONEY_NOT_FINITE, 'must be a finite amount such as "1999.90"')
    # Bounded by its shape before any arithmetic: abs() or quantize() of 9e999999999 raises
    # decimal.Overflow, and a client must not choose the exponents this process works with.
    if amount.adjusted() > _MAX_ADJUSTED:
        raise MoneyError(MONEY_TOO_LARGE, f"must be at most {MAX_AMOUNT}")
    if _decimal_places(amount) > 2:
        raise MoneyError(MONEY_TOO_MANY_DECIMALS, "must have at most 2 decimal places")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(MONEY_TOO_LARGE, f"must be at most {MAX_AMOUNT}")
    return amount.quantize(CENT) + 0  # "+ 0" turns -0.00 into 0.00


def _decimal_places(amount: Decimal) -> int:
    """Significant digits after the point, read from the digits alone ("1.500" has 1)."""
    _sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if trailing_zeros == len(digits):
        return 0  # zero, whatever its exponent
    return max(0, -(exponent + trailing_zeros))


def format_amount(amount: Decimal) -> str:
    """The wire form: always two decimal places ("1999.90")."""
    return f"{amount:.2f}"


def _custom_error(error: MoneyError) -> PydanticCustomError:
    return PydanticCustomError(error.problem.code, error.message)


def _positive(value: object) -> Decimal:
    try:
        amount = parse_amount(value)
    except MoneyError as error:
        raise _custom_error(error) from None
    if amount <= 0:
        raise PydanticCustomError(MONEY_NOT_POSITIVE.code, "must be greater than 0")
    return amount


def _non_negative(value: object) -> Decimal:
    try:
        amount = parse_amount(value)
    except MoneyError as error:
        raise _custom_error(error) from None
    if amount < 0:
        raise PydanticCustomError(MONEY_NEGATIVE.code, "must not be negative")
    return amount


def _schema(description: str) -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": AMOUNT_PATTERN,
        "examples": ["1999.90"],
        "description": description + " A decimal string with at most 2 places; a JSON number "
        "is also accepted and read exactly.",
    }


def _input_schema(description: str, bound: str) -> dict[str, Any]:
    """What requests may send: the string form, or a JSON number (policies/pricing.md)."""
    string = _schema(description)
    number = {"type": "number", bound: 0, "maximum": float(MAX_AMOUNT)}
    return {
        "anyOf": [{"type": "string", "pattern": AMOUNT_PATTERN}, number],
        "examples": string["examples"],
        "description": string["description"],
    }


PositiveMoney = Annotated[
    Decimal,
    PlainValidator(_positive),
    PlainSerializer(format_amount, return_type=str, when_used="json"),
    WithJsonSchema(_schema("An amount greater than 0."), mode="serialization"),
    WithJsonSchema(
        _input_schema("An amount greater than 0.", "exclusiveMinimum"), mode="validation"
    ),
]
NonNegativeMoney = Annotated[
    Decimal,
    PlainValidator(_non_negative),
    PlainSerializer(format_amount, return_type=str, when_used="json"),
    WithJsonSchema(_schema("An amount of 0 or more."), mode="serialization"),
    WithJsonSchema(_input_schema("An amount of 0 or more.", "minimum"), mode="validation"),
]

# ISO 4217 active currency codes (fund and metal codes such as XAU, XDR excluded).
_ISO_4217_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())


def _currency(value: object) -> str:
    if not isinstance(value, str) or value not in ISO_4217:
        raise PydanticCustomError(
            UNKNOWN_CURRENCY.code, "must be an ISO 4217 code in upper case, such as ARS or USD"
        )
    return value


Currency = Annotated[
    str,
    PlainValidator(_currency),
    WithJsonSchema(
        {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["ARS"], "description": "ISO 4217"}
    ),
]
