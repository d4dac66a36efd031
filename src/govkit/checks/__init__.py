"""Every repository check, registered explicitly by the modules of this package.

Each module defines its checks as classes decorated with ``@register``; adding a module to
``MODULES`` loads them. A check class left unregistered, or registered with missing metadata, is
an error: a check never quietly vanishes.
"""

from __future__ import annotations

import importlib

from govkit.checks.base import (
    Check,
    CheckDefinitionError,
    Finding,
    Outcome,
    Skip,
    Status,
    definition_problems,
    matches,
    registered,
    run_checks,
)

MODULES: tuple[str, ...] = (
    "code_health",
    "cors",
    "debug",
    "protocol",
    "rulesets",
    "codeowners",
    "docs",
    "adr",
    "runbooks",
    "workflows",
    "workflow_security",
    "ci_config",
    "env_files",
    "parse_errors",
    "placeholders",
    "secrets",
    "migrations",
    "conflicts",
    "testing",
    "dependency_updates",
    "readme_commands",
)


def all_checks() -> list[type[Check]]:
    """Every registered check, in module order then definition order."""
    modules = [importlib.import_module(f"govkit.checks.{name}") for name in MODULES]
    checks = registered()
    known = set(checks)
    for module in modules:
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, Check)
                and obj.__module__ == module.__name__
                and "check" in vars(obj)
                and obj not in known
            ):
                problems = definition_problems(obj) or ["not decorated with @register"]
                raise CheckDefinitionError(f"check {obj.__qualname__}: " + "; ".join(problems))
    order = {module.__name__: i for i, module in enumerate(modules)}
    # sorted() is stable: definition order within a module is kept
    return sorted((c for c in checks if c.__module__ in order), key=lambda c: order[c.__module__])


__all__ = [
    "Check",
    "Finding",
    "Outcome",
    "Skip",
    "Status",
    "all_checks",
    "matches",
    "run_checks",
]
