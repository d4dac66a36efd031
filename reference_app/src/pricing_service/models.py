"""Imports every ORM model so Alembic's autogenerate and the tests see the whole schema."""

from __future__ import annotations

import importlib

# Each domain adds its models module here.
MODEL_MODULES: tuple[str, ...] = (
    "pricing_service.auth.models",
    "pricing_service.pricing.models",
    "pricing_service.sync.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
