"""The check model: one small class per rule, in the repo-review style.

A check's id is its class name and its docstring's first line is its title. Checks are grouped in
family base classes that hold what the family shares; each concrete check is registered
explicitly with :func:`register`, which refuses a check missing any metadata.

``check()`` receives facts by parameter name (``repo``, ``profile``, ``workflows``, ... see
:data:`FACTS`), each computed once per repository, and returns:

- ``None`` or an empty iterable: pass;
- a ``str``: one finding with no location (the string is the fix, said exactly);
- a :class:`Finding` or an iterable of them: fail, each at a file and line;

or raises :class:`Skip` (the check does not apply). A check whose ``requires`` failed is skipped,
not failed twice; ``requires`` is for true prerequisites only, never to hide other findings.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar, get_args

from govkit.checks.kinds import KINDS
from govkit.profile import REPO_KINDS, Profile, profile_of
from govkit.repo import Repo

Severity = Literal["P0", "P1", "P2"]
Effort = Literal["S", "M", "L"]
Scope = Literal["health", "adoption"]
Family = Literal[
    "ci", "security", "docs", "ownership", "migrations", "api", "observability", "code-health"
]
_ID = re.compile(r"[A-Z]{2,4}\d{3}")
_TICKET = re.compile(r"T\d{2}")


class Status(enum.Enum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    SKIP = "skip"


class Skip(Exception):  # noqa: N818 - reads as "raise Skip(reason)"
    """Raised by a check that does not apply to this repository."""


class CheckDefinitionError(TypeError):
    """A check class that cannot be registered: metadata missing or wrong."""


@dataclass(frozen=True)
class Finding:
    """One problem: what is wrong and the fix, said exactly; where, when it has a place."""

    message: str
    path: str | None = None  # repo-relative POSIX path
    line: int | None = None  # 1-based

    def where(self) -> str:
        if self.path is None:
            return ""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def render(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


Result = None | str | Finding | Iterable[Finding]

# What a check may need of the repository: (test on its profile, what is missing when it fails).
NEEDS: dict[str, tuple[Callable[[Profile], bool], str]] = {
    "code": (
        # the noxfile, setup.py or a docs conf.py alone is tooling, not code to test
        lambda p: bool(p.application_python_files or p.languages - {"python"}),
        "no code of its own (tooling such as a noxfile is not)",
    ),
    "python": (lambda p: "python" in p.languages, "no Python code of its own"),
    "served": (
        lambda p: p.served,
        "no web framework, worker or container: print() is a library's or a tool's output",
    ),
    "github-actions": (lambda p: "github-actions" in p.ci, "no GitHub Actions workflow"),
    "database": (lambda p: p.database, "no database: no ORM and no migration tool found"),
    "alembic": (lambda p: p.migration_tool == "alembic", "its migrations are not Alembic's"),
    "frontend": (
        lambda p: p.frontend or bool({"javascript", "typescript"} & p.languages),
        "no frontend (no JavaScript or TypeScript code of its own)",
    ),
    "critical-flows": (
        lambda p: bool(p.critical_flows),
        "no critical flows declared ([tool.govkit] critical-flows = [...])",
    ),
}


@dataclass(frozen=True)
class Applies:
    """What a check applies to: repository kinds (empty: every kind) and profile needs."""

    kinds: frozenset[str] = frozenset()
    needs: tuple[str, ...] = ()

    def describe(self) -> str:
        if not self.kinds and not self.needs:
            return "every repository"
        kinds = " and ".join(sorted(self.kinds)) + " " if self.kinds else ""
        return f"{kinds}repositories" + (f" with {', '.join(self.needs)}" if self.needs else "")

    def skip_reason(self, profile: Profile) -> str | None:
        """Why the check does not apply to a repository of this profile, or None."""
        if self.kinds and profile.kind not in self.kinds:
            return (
                f"applies to {' and '.join(sorted(self.kinds))} repositories; this one is a "
                f"{profile.kind} ({profile.kind_reason}; set [tool.govkit] kind to correct it)"
            )
        for need in self.needs:
            present, missing = NEEDS[need]
            if not present(profile):
                return f"does not apply: {missing}"
        return None


EVERY_REPOSITORY = Applies()


class Check:
    """Base class of every repository check (and of the family base classes)."""

    family: ClassVar[Family]
    severity: ClassVar[Severity]
    effort: ClassVar[Effort] = "S"
    ticket: ClassVar[str]  # the seed backlog ticket it maps to, "T01".."T20"
    kinds: ClassVar[frozenset[str]]  # names from govkit.checks.kinds.KINDS
    scope: ClassVar[Scope]  # which score it counts towards
    applies: ClassVar[Applies]  # what it applies to; skipped with the reason otherwise
    requires: ClassVar[frozenset[str]] = frozenset()
    files_expected: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def id(cls) -> str:
        return cls.__name__

    @classmethod
    def title(cls) -> str:
        return (cls.__doc__ or cls.__name__).strip().splitlines()[0]

    @classmethod
    def facts(cls) -> tuple[str, ...]:
        """The names of the facts ``check()`` takes, in order."""
        return tuple(inspect.signature(cls.check).parameters)[1:]

    # check(self, <facts by name>) -> Result: None when the repository passes, else the findings
    # (see the module doc). Declared loosely: each check names the facts it takes.
    check: Callable[..., Result]


# ---------------------------------------------------------------------------------------------
# Registration

C = TypeVar("C", bound=type[Check])


_REGISTRY: dict[str, type[Check]] = {}


def register(cls: C) -> C:
    """Register a concrete check; a check missing metadata is an error, never silently dropped."""
    problems = definition_problems(cls)
    if problems:
        raise CheckDefinitionError(f"check {cls.__module__}.{cls.__name__}: " + "; ".join(problems))
    existing = _REGISTRY.get(cls.id())
    # the same class imported again (a module reload) replaces itself; another class is a clash
    if existing is not None and existing.__module__ != cls.__module__:
        raise CheckDefinitionError(
            f"check id {cls.id()} is registered by {existing.__module__} and {cls.__module__}"
        )
    _REGISTRY[cls.id()] = cls
    return cls


def registered() -> list[type[Check]]:
    return list(_REGISTRY.values())


def definition_problems(cls: type[Check]) -> list[str]:
    """What is missing or wrong in a check's metadata (empty when it can be registered)."""
    problems: list[str] = []
    if not _ID.fullmatch(cls.__name__):
        problems.append("the class name is its id: 2-4 capitals and 3 digits, e.g. GH101")
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        problems.append("no docstring (its first line is the title)")
    if "check" not in vars(cls):
        problems.append("no check() method")
    for name, allowed in (
        ("family", get_args(Family)),
        ("severity", get_args(Severity)),
        ("effort", get_args(Effort)),
        ("scope", get_args(Scope)),
    ):
        value = getattr(cls, name, None)
        if value not in allowed:
            problems.append(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    ticket = getattr(cls, "ticket", None)
    if not isinstance(ticket, str) or not _TICKET.fullmatch(ticket):
        problems.append(f"ticket must be a seed ticket id like 'T01' (got {ticket!r})")
    kinds = getattr(cls, "kinds", None)
    if not isinstance(kinds, frozenset):
        problems.append("kinds must be a frozenset of problem kinds (empty for adoption only)")
    else:
        unknown = sorted(k for k in kinds if k not in KINDS)
        if unknown:
            problems.append(f"unknown kind(s) {', '.join(unknown)} (see govkit.checks.kinds)")
    applies = getattr(cls, "applies", None)
    if not isinstance(applies, Applies):
        problems.append("applies must say what it applies to (Applies(...), EVERY_REPOSITORY)")
    else:
        problems += [
            f"applies: unknown repository kind {k!r}" for k in applies.kinds - set(REPO_KINDS)
        ]
        problems += [f"applies: unknown need {n!r}" for n in applies.needs if n not in NEEDS]
    if "check" in vars(cls):
        unknown_facts = [f for f in cls.facts() if f not in FACTS]
        if unknown_facts:
            problems.append(
                f"check() takes unknown fact(s) {', '.join(unknown_facts)} "
                f"(known: {', '.join(sorted(FACTS))})"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Facts: computed once per repository, passed to each check by parameter name

FACTS: dict[str, Callable[[Repo], Any]] = {"repo": lambda repo: repo, "profile": profile_of}


def fact(name: str) -> Callable[[Callable[[Repo], Any]], Callable[[Repo], Any]]:
    """Declare a fact: a function of the repository whose value checks take by ``name``."""

    def add(compute: Callable[[Repo], Any]) -> Callable[[Repo], Any]:
        FACTS[name] = compute
        return compute

    return add


def fact_value(repo: Repo, name: str) -> Any:
    compute = FACTS[name]
    return repo.memo(f"fact:{name}", lambda: compute(repo))


# ---------------------------------------------------------------------------------------------
# Running


@dataclass(frozen=True)
class Outcome:
    check: type[Check]
    status: Status
    message: str = ""
    findings: tuple[Finding, ...] = ()


def findings_of(result: Result) -> tuple[Finding, ...]:
    """A check's return value as findings (see the module doc for what a check may return)."""
    if result is None:
        return ()
    if isinstance(result, str):
        return (Finding(result),)
    if isinstance(result, Finding):
        return (result,)
    found = tuple(result)
    wrong = [f for f in found if not isinstance(f, Finding)]
    if wrong:
        raise TypeError(f"a check returned {type(wrong[0]).__name__}, not a Finding")
    return found


def matches(cls: type[Check], selector: str) -> bool:
    """Whether a --select/--ignore entry names this check: its id, an id prefix or its family."""
    return cls.id().startswith(selector) or cls.family == selector


def run_check(repo: Repo, cls: type[Check]) -> Outcome:
    """Run one check with its facts; a fact that raises Skip skips the check."""
    reason = cls.applies.skip_reason(fact_value(repo, "profile"))
    if reason is not None:
        return Outcome(cls, Status.SKIP, reason)
    try:
        facts = [fact_value(repo, name) for name in cls.facts()]
        found = findings_of(cls().check(*facts))
    except Skip as skip:
        return Outcome(cls, Status.SKIP, str(skip))
    if not found:
        return Outcome(cls, Status.PASS)
    return Outcome(cls, Status.FAIL, summarize(found), found)


def summarize(findings: Iterable[Finding]) -> str:
    """Findings as one message: each place with its first line, then each distinct fix once.

    A finding's message is "what is wrong here" on its first line, then the explanation and fix,
    which many findings of one check share.
    """
    places: list[str] = []
    fixes: list[str] = []
    for finding in findings:
        first, _, rest = finding.message.partition("\n")
        places.append(Finding(first, finding.path, finding.line).render())
        if rest and rest not in fixes:
            fixes.append(rest)
    return "\n".join(places + fixes)


def run_checks(
    repo: Repo,
    checks: Iterable[type[Check]],
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Outcome]:
    """Run checks in dependency order; skip those whose prerequisites failed or were skipped."""
    wanted = list(select)
    ignored = list(ignore)
    ordered = _topological(list(checks))
    results: dict[str, Outcome] = {}
    for cls in ordered:
        if (wanted and not any(matches(cls, s) for s in wanted)) or any(
            matches(cls, s) for s in ignored
        ):
            continue
        blocked = sorted(
            r for r in cls.requires if r in results and results[r].status is not Status.PASS
        )
        if blocked:
            outcome = Outcome(cls, Status.SKIP, f"requires {', '.join(blocked)}")
        else:
            outcome = run_check(repo, cls)
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
