"""The check model: one small class per rule, in the repo-review style.

A check's id is its class name, its docstring's first line is its title, and
``check()`` returns None (pass), a string (fail: the string is the fix), or
raises :class:`Skip`. A check whose ``requires`` failed is skipped, not failed twice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from govkit.repo import Repo

Severity = Literal["P0", "P1", "P2"]
Effort = Literal["S", "M", "L"]
Family = Literal[
    "ci", "security", "docs", "ownership", "migrations", "api", "observability", "code-health"
]


class Status(enum.Enum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    SKIP = "skip"


class Skip(Exception):  # noqa: N818 - reads as "raise Skip(reason)"
    """Raised by a check that does not apply to this repository."""


class Check:
    """Base class of every repository check."""

    family: ClassVar[Family]
    severity: ClassVar[Severity]
    effort: ClassVar[Effort] = "S"
    ticket: ClassVar[str]  # the seed backlog ticket it maps to, "T01".."T20"
    requires: ClassVar[frozenset[str]] = frozenset()
    files_expected: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def id(cls) -> str:
        return cls.__name__

    @classmethod
    def title(cls) -> str:
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0]

    def check(self, repo: Repo) -> str | None:
        """Return None when the repository passes, else the fix, said exactly."""
        raise NotImplementedError


@dataclass(frozen=True)
class Outcome:
    check: type[Check]
    status: Status
    message: str = ""


def run_checks(
    repo: Repo,
    checks: Iterable[type[Check]],
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Outcome]:
    """Run checks in dependency order; skip those whose prerequisites failed or were skipped."""
    wanted = set(select)
    ignored = set(ignore)
    ordered = _topological(list(checks))
    results: dict[str, Outcome] = {}
    for cls in ordered:
        if (wanted and cls.id() not in wanted) or cls.id() in ignored:
            continue
        blocked = sorted(
            r for r in cls.requires if r in results and results[r].status is not Status.PASS
        )
        if blocked:
            outcome = Outcome(cls, Status.SKIP, f"requires {', '.join(blocked)}")
        else:
            try:
                fix = cls().check(repo)
            except Skip as skip:
                outcome = Outcome(cls, Status.SKIP, str(skip))
            else:
                outcome = Outcome(cls, Status.PASS if fix is None else Status.FAIL, fix or "")
        results[cls.id()] = outcome
    return list(results.values())


def _topological(checks: list[type[Check]]) -> list[type[Check]]:
    by_id = {c.id(): c for c in checks}
    done: dict[str, type[Check]] = {}

    def visit(cls: type[Check], stack: tuple[str, ...]) -> None:
        if cls.id() in done:
            return
        if cls.id() in stack:
            raise ValueError(f"cyclic requires: {' -> '.join((*stack, cls.id()))}")
        for req in sorted(cls.requires):
            if req in by_id:
                visit(by_id[req], (*stack, cls.id()))
        done[cls.id()] = cls

    for cls in checks:
        visit(cls, ())
    return list(done.values())
