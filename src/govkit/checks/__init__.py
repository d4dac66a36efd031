"""Every repository check, gathered from the modules of this package.

Each module defines Check subclasses; adding a module to ``MODULES`` registers them.
"""

from __future__ import annotations

import importlib

from govkit.checks.base import Check, Outcome, Skip, Status, run_checks

MODULES: tuple[str, ...] = (
    "code_health",
    "protocol",
    "rulesets",
    "codeowners",
    "docs",
    "adr",
    "runbooks",
    "workflows",
    "secrets",
    "migrations",
    "conflicts",
)


def all_checks() -> list[type[Check]]:
    """Every concrete check class, in module order then definition order."""
    found: list[type[Check]] = []
    for name in MODULES:
        module = importlib.import_module(f"govkit.checks.{name}")
        found.extend(
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Check)
            and obj is not Check
            and obj.__module__ == module.__name__
            and hasattr(obj, "ticket")
        )
    return found


__all__ = ["Check", "Outcome", "Skip", "Status", "all_checks", "run_checks"]
