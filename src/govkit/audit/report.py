"""Run the checks under the repository's ``[tool.govkit]`` configuration and score the result.

Two scores, each over its own checks (``Check.scope``):

- ``score`` (health): what a mature repository of the same kind should meet, whatever tooling it
  chose; comparable in spirit to repo-review and OpenSSF Scorecard.
- ``adoption``: how far the repository follows this kit's own conventions (ADRs, runbooks,
  AGENTS.md, rulesets as code, nox-only CI, the detect-secrets baseline, ...).

Each score weighs a check by severity in the spirit of OpenSSF Scorecard's risk weights
(P0 critical = 10, P1 high = 7.5, P2 medium = 5): 100 * passed weight / applicable weight.
Skipped and ignored checks are not applicable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from govkit.audit.snapshot import Snapshot, take_snapshot
from govkit.checks import Check, Finding, Status, all_checks, matches, run_checks
from govkit.checks.selection import configured_ignores, unknown_selectors
from govkit.errors import UsageError
from govkit.profile import Profile, profile_of
from govkit.repo import Repo

WEIGHTS = {"P0": 10.0, "P1": 7.5, "P2": 5.0}


@dataclass(frozen=True)
class CheckResult:
    check: type[Check]
    status: Status  # PASS, FAIL or SKIP
    message: str = ""
    ignored: str | None = None  # the reason, when the repository ignores this check
    findings: tuple[Finding, ...] = ()

    @property
    def weight(self) -> float:
        return WEIGHTS[self.check.severity]


def weighted_score(results: Iterable[CheckResult]) -> int:
    applicable = [r for r in results if r.ignored is None and r.status is not Status.SKIP]
    total = sum(r.weight for r in applicable)
    passed = sum(r.weight for r in applicable if r.status is Status.PASS)
    return 100 if total == 0 else int(100 * passed / total)


@dataclass(frozen=True)
class Audit:
    root: str
    results: list[CheckResult]
    snapshot: Snapshot
    profile: Profile
    score: int = field(init=False)  # health
    adoption: int = field(init=False)

    def __post_init__(self) -> None:
        for scope, name in (("health", "score"), ("adoption", "adoption")):
            value = weighted_score(r for r in self.results if r.check.scope == scope)
            object.__setattr__(self, name, value)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.FAIL and r.ignored is None]


def run_audit(repo: Repo, *, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Audit:
    checks = all_checks()
    select, ignore = list(select), list(ignore)
    unknown = unknown_selectors(checks, select + ignore)
    if unknown:
        raise UsageError(f"unknown check id(s): {', '.join(unknown)}")
    ignores = configured_ignores(repo, checks)
    ignores.update(
        {
            c.id(): "ignored on the command line"
            for c in checks
            if any(matches(c, s) for s in ignore)
        }
    )
    outcomes = run_checks(repo, checks, select=select)
    results = [
        CheckResult(o.check, o.status, o.message, ignores.get(o.check.id()), o.findings)
        for o in outcomes
    ]
    return Audit(str(repo.root), results, take_snapshot(repo), profile_of(repo))
