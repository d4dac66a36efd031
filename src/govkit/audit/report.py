"""Run the checks under the repository's ``[tool.govkit]`` configuration and score the result.

The score weighs each check by severity in the spirit of OpenSSF Scorecard's risk weights
(P0 critical = 10, P1 high = 7.5, P2 medium = 5): 100 * passed weight / applicable weight.
Skipped and ignored checks are not applicable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from govkit.audit.snapshot import Snapshot, take_snapshot
from govkit.checks import Check, Status, all_checks, run_checks
from govkit.errors import UsageError
from govkit.repo import Repo

WEIGHTS = {"P0": 10.0, "P1": 7.5, "P2": 5.0}


@dataclass(frozen=True)
class CheckResult:
    check: type[Check]
    status: Status  # PASS, FAIL or SKIP
    message: str = ""
    ignored: str | None = None  # the reason, when the repository ignores this check

    @property
    def weight(self) -> float:
        return WEIGHTS[self.check.severity]


@dataclass(frozen=True)
class Audit:
    root: str
    results: list[CheckResult]
    snapshot: Snapshot
    score: int = field(init=False)

    def __post_init__(self) -> None:
        applicable = [r for r in self.results if r.ignored is None and r.status is not Status.SKIP]
        total = sum(r.weight for r in applicable)
        passed = sum(r.weight for r in applicable if r.status is Status.PASS)
        object.__setattr__(self, "score", 100 if total == 0 else int(100 * passed / total))

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.FAIL and r.ignored is None]


def configured_ignores(repo: Repo, known: set[str]) -> dict[str, str]:
    """``[tool.govkit] ignore = {ID = "reason"}``; a reason is required."""
    raw = repo.govkit_config.get("ignore", {})
    if not isinstance(raw, dict):
        raise UsageError('[tool.govkit] ignore must be a table: ignore = { GH105 = "reason" }')
    ignores: dict[str, str] = {}
    for check_id, reason in raw.items():
        if check_id not in known:
            raise UsageError(f"[tool.govkit] ignore names an unknown check: {check_id}")
        if not isinstance(reason, str) or not reason.strip():
            raise UsageError(f'[tool.govkit] ignore.{check_id} needs a reason: {check_id} = "why"')
        ignores[check_id] = reason.strip()
    return ignores


def run_audit(repo: Repo, *, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Audit:
    checks = all_checks()
    known = {c.id() for c in checks}
    unknown = sorted((set(select) | set(ignore)) - known)
    if unknown:
        raise UsageError(f"unknown check id(s): {', '.join(unknown)}")
    ignores = configured_ignores(repo, known)
    ignores.update({i: "ignored on the command line" for i in ignore})
    outcomes = run_checks(repo, checks, select=select)
    results = [
        CheckResult(o.check, o.status, o.message, ignores.get(o.check.id())) for o in outcomes
    ]
    return Audit(str(repo.root), results, take_snapshot(repo))
