"""Every repository check, registered explicitly by the modules of this package.

Each module defines its checks as classes decorated with ``@register``; ``check_modules`` imports
the modules by name, so the import graph shows every one. A check class left unregistered, or
registered with missing metadata, is an error: a check never quietly vanishes.
"""

from __future__ import annotations

from types import ModuleType

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


def check_modules() -> tuple[ModuleType, ...]:
    """The modules that define checks, in the order the catalogue lists them."""
    from govkit.checks import (  # here, not at the top: each of them imports this package
        adr,
        ci_config,
        code_health,
        codeowners,
        conflicts,
        cors,
        debug,
        dependency_updates,
        docs,
        env_files,
        migrations,
        parse_errors,
        placeholders,
        protocol,
        readme_commands,
        rulesets,
        runbooks,
        secrets,
        testing,
        workflow_security,
        workflows,
    )

    return (
        code_health,
        cors,
        debug,
        protocol,
        rulesets,
        codeowners,
        docs,
        adr,
        runbooks,
        workflows,
        workflow_security,
        ci_config,
        env_files,
        parse_errors,
        placeholders,
        secrets,
        migrations,
        conflicts,
        testing,
        dependency_updates,
        readme_commands,
    )


def all_checks() -> list[type[Check]]:
    """Every registered check, in module order then definition order."""
    modules = check_modules()
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
