"""Which checks run and which are ignored: --select/--ignore and ``[tool.govkit] ignore``.

An entry names checks by id (``GH101``), id prefix (``GH``, ``GH1``) or family (``security``).
An ignore always carries a reason, shown by every report; ``govkit check``, ``govkit audit`` and
the stamped template's gate (which runs ``govkit check``) read the same table.
"""

from __future__ import annotations

from collections.abc import Iterable

from govkit.checks.base import Check, matches
from govkit.errors import UsageError
from govkit.repo import Repo


def configured_ignores(repo: Repo, checks: list[type[Check]]) -> dict[str, str]:
    """``[tool.govkit] ignore = {ID = "reason"}``; a reason is required. Keys are check ids,
    id prefixes or families, like --select; the result maps each check id it names to the reason.
    """
    raw = repo.govkit_config.get("ignore", {})
    if not isinstance(raw, dict):
        raise UsageError('[tool.govkit] ignore must be a table: ignore = { GH105 = "reason" }')
    ignores: dict[str, str] = {}
    for selector, reason in raw.items():
        named = [c for c in checks if matches(c, selector)]
        if not named:
            raise UsageError(f"[tool.govkit] ignore names an unknown check: {selector}")
        if not isinstance(reason, str) or not reason.strip():
            raise UsageError(f'[tool.govkit] ignore.{selector} needs a reason: {selector} = "why"')
        ignores.update({c.id(): reason.strip() for c in named})
    return ignores


def unknown_selectors(checks: list[type[Check]], selectors: Iterable[str]) -> list[str]:
    """The --select/--ignore entries that name no check (by id, id prefix or family)."""
    return sorted(s for s in set(selectors) if not any(matches(c, s) for c in checks))
