"""The sync problem types (policies/error-contract.md) and the exceptions that carry them."""

from __future__ import annotations

from collections.abc import Sequence

from pricing_service.core.errors import NOT_FOUND, DomainError, problem_type

SYNC_DEGRADED = problem_type("sync_degraded", 503, "Marketplace sync degraded")
SYNC_UNKNOWN_PRODUCTS = problem_type(
    "sync_unknown_products", 422, "The sync request names unknown products"
)
DEGRADED_RETRY_AFTER = "300"  # nothing changes until someone re-authorizes the seller


class SyncDegradedError(DomainError):
    """The seller's marketplace authorization is unusable; the reason says how to fix it."""

    PROBLEM = SYNC_DEGRADED

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"{reason}. Re-authorize the seller, set ML_REFRESH_TOKEN and restart the worker.",
            headers={"Retry-After": DEGRADED_RETRY_AFTER},
        )
        self.reason = reason


class UnknownProductsError(DomainError):
    PROBLEM = SYNC_UNKNOWN_PRODUCTS

    def __init__(self, product_ids: Sequence[int]) -> None:
        super().__init__(
            f"no product with id {', '.join(map(str, product_ids))}",
            product_ids=list(product_ids),
        )
        self.product_ids = list(product_ids)


class JobNotFoundError(DomainError):
    PROBLEM = NOT_FOUND

    def __init__(self, job_id: int) -> None:
        super().__init__(f"sync job {job_id} does not exist")
