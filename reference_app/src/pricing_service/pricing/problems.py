"""Every problem code of the pricing domain (listed in policies/error-contract.md), and the
exceptions that carry a fixed one."""

from __future__ import annotations

from pricing_service.core.errors import NOT_FOUND, DomainError, problem_type

# Money format (any money field); the pointer in ``errors`` says which field.
MONEY_NOT_A_NUMBER = problem_type("money_not_a_number", 422, "Amount is not a decimal number")
MONEY_NOT_FINITE = problem_type("money_not_finite", 422, "Amount is not a finite number")
MONEY_TOO_MANY_DECIMALS = problem_type(
    "money_too_many_decimals", 422, "Amount has more than 2 decimal places"
)
MONEY_TOO_LARGE = problem_type("money_too_large", 422, "Amount exceeds 9999999999.99")
MONEY_NOT_POSITIVE = problem_type("money_not_positive", 422, "Amount must be greater than zero")
MONEY_NEGATIVE = problem_type("money_negative", 422, "Amount must not be negative")
UNKNOWN_CURRENCY = problem_type("unknown_currency", 422, "Unknown ISO 4217 currency code")
PRODUCT_REFERENCE_INVALID = problem_type(
    "product_reference_invalid", 422, "Give exactly one of product_id and sku"
)

# Price guardrails (need the stored product).
PRICE_OUTSIDE_BOUNDS = problem_type(
    "price_outside_bounds", 422, "Price outside the product's min_price/max_price"
)
PRICE_CHANGE_TOO_LARGE = problem_type(
    "price_change_too_large", 422, "Price change larger than the allowed ratio"
)

# Optimistic concurrency (If-Match / version).
PRECONDITION_REQUIRED = problem_type(
    "precondition_required", 428, "The current version is required (If-Match or version)"
)
VERSION_MISMATCH = problem_type("version_mismatch", 412, "The product version is stale")
IF_MATCH_INVALID = problem_type("if_match_invalid", 400, "Malformed or contradictory If-Match")

# Uniqueness.
SKU_TAKEN = problem_type("sku_taken", 409, "A product with this sku exists")
MARKETPLACE_ITEM_TAKEN = problem_type(
    "marketplace_item_taken", 409, "A product with this marketplace_item_id exists"
)

# Bulk updates and idempotency keys.
BULK_TOO_MANY_ITEMS = problem_type("bulk_too_many_items", 413, "Too many items in one bulk")
IDEMPOTENCY_KEY_INVALID = problem_type(
    "idempotency_key_invalid", 400, "Idempotency-Key header missing or malformed"
)
IDEMPOTENCY_KEY_REUSED = problem_type(
    "idempotency_key_reused", 422, "Idempotency-Key already used with a different body"
)
BULK_DUPLICATE_ITEM = problem_type(
    "bulk_duplicate_item", 422, "The product appears more than once in the bulk"
)


class ProductNotFoundError(DomainError):
    PROBLEM = NOT_FOUND

    def __init__(self, reference: object) -> None:
        super().__init__(f"product {reference} does not exist")


class BulkTooManyItemsError(DomainError):
    PROBLEM = BULK_TOO_MANY_ITEMS

    def __init__(self, count: int, max_items: int) -> None:
        super().__init__(
            f"{count} items; send at most {max_items} per request", max_items=max_items
        )
