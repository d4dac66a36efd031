"""Schema fuzzing: Schemathesis against the in-process app, every operation, zero failures.

Run by ``nox -s fuzz`` (seed 20261126 unless ``FUZZ_SEED`` is set; ``FUZZ_MAX_EXAMPLES`` bounds it);
`nox -s tests` deselects the ``fuzz`` marker so the everyday run stays fast. Reproduce a run with
the seed it prints:
``FUZZ_SEED=<seed> uv run pytest reference_app/tests/fuzz``.

The app is the real composition root on the migrated test database, with an admin user, a few
products and a sync job seeded so path ids hit real rows half of the time. Each request carries
a freshly minted admin token (a fuzzed ``POST /api/auth/logout`` revokes only its own session).

Beyond what the schema suggests, a share of the cases carry the hostile inputs of issue 22 in
one query parameter or body member: NUL and other control characters, exponents no Decimal
context survives (``9e999999999``), integers no database column holds. The service must answer
each with a 4xx problem, never a 5xx.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from pricing_service.auth.models import User
from pricing_service.core.time import utcnow
from pricing_service.pricing.models import Product

FUZZ_SEED = os.environ.get("FUZZ_SEED", "20261126")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
SEEDED_PRODUCTS = 5
HOSTILE_TEXT = (
    "\x00",
    "mate\x00cup",
    "\x1b[2J",
    "line\nbreak",
    "\x85",
    "9e999999999",
    "-9e999999999",
    "1e-999999999",
    "9" * 5000,
)
HOSTILE_NUMBERS = (10**30, 2**63, -(2**63), 10**300)  # no int4/int8 column holds these

# Deselected from `nox -s tests` (-m "not fuzz"): `nox -s fuzz` is its own gate.
pytestmark = pytest.mark.fuzz


@pytest.fixture
def seeded_ids(db: Session) -> dict[str, list[int]]:
    """A few products (and their ids) for the path parameters to hit."""
    now = utcnow()
    products = [
        Product(
            sku=f"FUZZ-{n:03d}",
            title=f"Fuzz product {n}",
            currency="ARS",
            cost=Decimal("60.00"),
            price=Decimal("100.00"),
            min_price=Decimal("50.00"),
            max_price=Decimal("200.00"),
            marketplace_item_id=f"MLA{n:010d}",
            version=1,
            created_at=now,
            updated_at=now,
        )
        for n in range(1, SEEDED_PRODUCTS + 1)
    ]
    db.add_all(products)
    db.commit()
    return {"product_id": [p.id for p in products]}


def _with(parameters: dict[str, Any], name: str) -> Callable[[Any], dict[str, Any]]:
    """A mapping with ``name`` replaced by a given value (a seeded id, a hostile input)."""
    return lambda value: {**parameters, name: value}


def _hostile_for(value: object) -> st.SearchStrategy[Any]:
    if isinstance(value, str):
        return st.sampled_from(HOSTILE_TEXT)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return st.sampled_from(HOSTILE_NUMBERS)
    return st.just(value)


def with_hostile_member(mapping: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    """The mapping as generated, or with one scalar member replaced by a hostile input."""
    if not isinstance(mapping, dict):
        return st.just(mapping)
    names = [k for k, v in mapping.items() if isinstance(v, str | int | float)]
    if not names:
        return st.just(mapping)
    poisoned = st.sampled_from(names).flatmap(
        lambda name: _hostile_for(mapping[name]).map(_with(mapping, name))
    )
    return st.one_of(st.just(mapping), poisoned)


@pytest.fixture
def fuzz_schema(
    app: FastAPI,
    seeded_ids: dict[str, list[int]],
    admin: User,
    auth_headers: Callable[..., dict[str, str]],
) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "seed": int(FUZZ_SEED),
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)

    @schema.hook
    def flatmap_path_parameters(_context: Any, path_parameters: dict[str, Any] | None) -> Any:
        """Half of the generated ids are swapped for seeded ones, so lookups find rows."""
        options = [st.just(path_parameters)]
        if not path_parameters:
            return options[0]
        for name, ids in seeded_ids.items():
            if isinstance(path_parameters.get(name), int):
                options.append(st.sampled_from(ids).map(_with(path_parameters, name)))
        return st.one_of(options)

    @schema.hook
    def flatmap_query(_context: Any, query: dict[str, Any] | None) -> Any:
        return with_hostile_member(query)

    @schema.hook
    def flatmap_body(_context: Any, body: Any) -> Any:
        """A hostile top-level member, or one in the first bulk item."""
        items = body.get("items") if isinstance(body, dict) else None
        if isinstance(items, list) and items and isinstance(items[0], dict):
            first = with_hostile_member(items[0])
            return st.one_of(
                with_hostile_member(body),
                first.map(lambda item: {**body, "items": [item, *items[1:]]}),
            )
        return with_hostile_member(body)

    @schema.auth(refresh_interval=None)
    class AdminToken:
        """A fresh admin session per case, through Schemathesis so its auth checks see it."""

        def get(self, _case: Any, _ctx: Any) -> str:
            return auth_headers(user=admin)["Authorization"]

        def set(self, case: Any, data: str, _ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    return schema


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(role="admin")


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_every_operation_survives_fuzzing(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
