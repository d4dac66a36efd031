"""CODEOWNERS for critical paths (T18).

GitHub reads the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS; the last rule that
matches a file wins. Patterns follow .gitignore rules except that `!` and `[ ]` are not
supported and `docs/*` does not reach into sub-folders. Critical paths are declared in
policies/ownership.md as a table: | `path` | `@owner` | why |.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from govkit.checks.base import (
    EVERY_REPOSITORY,
    Check,
    Skip,
    register,
)
from govkit.checks.workflow_security import deploy_jobs
from govkit.profile import Profile, copier_answers
from govkit.repo import Repo

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
OWNERSHIP_POLICY = "policies/ownership.md"

_OWNER = re.compile(
    r"^(@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})$"
)
_POLICY_ROW = re.compile(r"^\|\s*`(?P<path>[^`]+)`\s*\|(?P<owners>[^|]*)\|")
_PROBE = "_govkit_probe"


@dataclass(frozen=True)
class Rule:
    line: int
    pattern: str
    owners: tuple[str, ...]

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(pattern_regex(self.pattern))

    def matches(self, path: str) -> bool:
        return self.regex.match(path.lstrip("/")) is not None


def pattern_regex(pattern: str) -> str:
    """A regular expression for the repository paths a CODEOWNERS pattern owns."""
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    parts: list[str] = []
    segments = body.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:.*/)?")
            continue
        parts.append(
            "".join(
                "[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in segment
            )
        )
        if not last:
            parts.append("/")
    regex = "".join(parts)
    prefix = "" if anchored else "(?:.*/)?"
    last_segment = segments[-1]
    if directory:
        tail = "/.*"
    elif last_segment != "**" and ("*" in last_segment or "?" in last_segment):
        tail = ""  # `docs/*` owns the files in docs/, not those in its sub-folders
    else:
        tail = "(?:/.*)?"  # a file, or a folder and everything in it
    return f"^{prefix}{regex}{tail}$"


def parse(text: str) -> list[Rule]:
    """The rules of a CODEOWNERS file; comments and blank lines dropped."""
    rules: list[Rule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(?<!\\)#.*$", "", raw).strip()
        if not line:
            continue
        pattern, *owners = line.split()
        rules.append(Rule(number, pattern, tuple(owners)))
    return rules


def _location(repo: Repo) -> str:
    for location in LOCATIONS:
        if repo.exists(location):
            return location
    raise Skip("no CODEOWNERS file")


def _rules(repo: Repo) -> tuple[str, list[Rule]]:
    location = _location(repo)
    return location, parse(repo.text(location) or "")


def examples(pattern: str) -> list[str]:
    """Two concrete paths a pattern owns: one shallow, one deep."""
    found = []
    for depth, (star, globstar) in enumerate((("g0", "g1"), ("g2", "g3/g4"))):
        segments = []
        for segment in pattern.strip("/").split("/"):
            if segment == "**":
                segments.append(globstar)
            else:
                segments.append(segment.replace("*", star).replace("?", "q"))
        path = "/".join(s for s in segments if s)
        anchored = pattern.startswith("/") or "/" in pattern.strip("/")
        if not anchored and depth:
            path = f"g5/{path}"
        if pattern.endswith("/") or not any(c in pattern.rsplit("/", 1)[-1] for c in "*?"):
            path = f"{path}/{_PROBE}" if depth == 0 else f"{path}/g6/{_PROBE}"
        found.append(path)
    return found


class OwnershipCheck(Check):
    """CODEOWNERS: present where a team owns the code, and read as GitHub reads it."""

    family = "ownership"
    severity = "P1"
    ticket = "T18"
    applies = EVERY_REPOSITORY


_DOCS = (".md", ".rst", ".txt", ".adoc")


def team_evidence(repo: Repo, profile: Profile) -> str | None:
    """Why a team (not one maintainer) owns the repository, from what it holds; None if nothing.

    Offline there is no committer history, so the evidence is what the repository says: the
    kit's stamped answers naming owning teams, docs that talk about CODEOWNERS, three or more
    maintainers or authors in pyproject.toml, or a service's deploy to infrastructure behind a
    protected environment (a package or docs publish, or an example app's deploy, is not).
    """
    answers = copier_answers(repo)
    teams = sorted({str(v) for k, v in answers.items() if k.startswith("owner") and "/" in str(v)})
    if profile.kit_stamped and teams:
        return f"the kit's answers name owning teams ({', '.join(teams)})"
    project = repo.pyproject.get("project", {})
    people = {
        str(person.get("name") or person.get("email"))
        for key in ("authors", "maintainers")
        for person in (project.get(key) or [] if isinstance(project, dict) else [])
        if isinstance(person, dict)
    }
    if len(people) >= 3:
        return f"{len(people)} authors and maintainers in pyproject.toml"
    docs = [
        f
        for f in repo.files
        if f.count("/") <= 2 and f.lower().endswith(_DOCS) and "CODEOWNERS" in (repo.text(f) or "")
    ]
    if docs:
        return f"{docs[0]} refers to CODEOWNERS"
    if profile.kind in {"service", "monorepo"} and any(
        job.get("environment") and not _publishes(job) for job in deploy_jobs(repo)
    ):
        return "a deploy job to infrastructure behind a protected environment"
    return None


# Publishing a package or a docs site is what one maintainer does too; it is not a team's deploy.
_PUBLISH = re.compile(
    r"pypi-publish|deploy-pages|upload-pages-artifact|gh-pages|twine upload|"
    r"(?:uv|poetry|pdm|hatch|flit|npm|pnpm|yarn|cargo) publish|gh-deploy|gh release create",
    re.I,
)


def _publishes(job: dict[str, Any]) -> bool:
    steps = job.get("steps")
    return isinstance(steps, list) and any(
        isinstance(step, dict) and _PUBLISH.search(f"{step.get('uses', '')} {step.get('run', '')}")
        for step in steps
    )


@register
class OWN101(OwnershipCheck):
    """Exactly one CODEOWNERS file, where GitHub reads it (where a team owns the code)"""

    scope = "health"
    kinds = frozenset({"no-codeowners"})
    files_expected = ("CODEOWNERS",)

    def check(self, repo: Repo, profile: Profile) -> str | None:
        present = [loc for loc in LOCATIONS if repo.exists(loc)]
        if not present:
            why = team_evidence(repo, profile)
            if why is None:
                raise Skip(
                    "no CODEOWNERS, and nothing shows a team owns the code (no owning teams in "
                    "the kit's answers, docs naming CODEOWNERS, 3+ pyproject maintainers or an "
                    "environment-guarded deploy): a single maintainer needs none"
                )
            return (
                f"A team owns this code ({why}) but no CODEOWNERS names it. Create CODEOWNERS "
                "at the repository root, the catch-all first:\n"
                "* @OWNER/TEAM\n/.github/ @OWNER/PLATFORM-TEAM"
            )
        if len(present) > 1:
            return (
                f"Keep one CODEOWNERS: GitHub reads only {present[0]} and ignores "
                f"{', '.join(present[1:])}. Merge their rules into one file and delete "
                "the others."
            )
        return None


@register
class OWN102(OwnershipCheck):
    """CODEOWNERS uses only syntax GitHub honours, and every owner is a valid handle or email"""

    scope = "health"
    kinds = frozenset()
    requires = frozenset({"OWN101"})

    def check(self, repo: Repo) -> str | None:
        location, rules = _rules(repo)
        fixes: list[str] = []
        for rule in rules:
            where = f"{location}:{rule.line} `{rule.pattern}`"
            if rule.pattern.startswith("!"):
                fixes.append(f"{where}: negation is not supported; list the paths to own instead.")
            if "[" in rule.pattern or "]" in rule.pattern:
                fixes.append(
                    f"{where}: character ranges `[ ]` are not supported; write one rule per path."
                )
            if "\\#" in rule.pattern:
                fixes.append(
                    f"{where}: `\\#` is not supported; a path starting with # cannot "
                    "be owned, rename it."
                )
            if not rule.owners:
                fixes.append(
                    f"{where}: no owner, so the path has none; add an owner "
                    "(`@org/team`, `@user` or an email)."
                )
            fixes.extend(
                f"{where}: `{owner}` is not @user, @org/team or an email."
                for owner in rule.owners
                if not _OWNER.match(owner)
            )
        return "\n".join(fixes) or None


@register
class OWN103(OwnershipCheck):
    """The CODEOWNERS catch-all `*` rule comes first"""

    scope = "adoption"
    kinds = frozenset()
    requires = frozenset({"OWN101"})

    def check(self, repo: Repo) -> str | None:
        location, rules = _rules(repo)
        catch_all = [r for r in rules if r.pattern in {"*", "/**", "**"}]
        if not catch_all:
            owners = Counter(o for r in rules for o in r.owners)
            fallback = owners.most_common(1)[0][0] if owners else "@OWNER/TEAM"
            return (
                f"Add `* {fallback}` as the first rule of {location}: files no other "
                "rule matches need a fallback owner."
            )
        if rules[0] is not catch_all[0] or len(catch_all) > 1:
            lines = ", ".join(str(r.line) for r in catch_all)
            return (
                f"Move the catch-all (line {lines}) to the top of {location} and keep one: "
                "the last matching rule wins, so a catch-all below other rules overrides "
                "them all."
            )
        return None


@register
class OWN104(OwnershipCheck):
    """No CODEOWNERS rule is shadowed by a later, broader one"""

    scope = "health"
    kinds = frozenset()
    requires = frozenset({"OWN101"})

    def check(self, repo: Repo) -> str | None:
        location, rules = _rules(repo)
        fixes: list[str] = []
        for index, rule in enumerate(rules):
            probes = [p for p in examples(rule.pattern) if rule.matches(p)]
            if not probes:
                continue
            later = next((r for r in rules[index + 1 :] if all(r.matches(p) for p in probes)), None)
            if later is not None:
                fixes.append(
                    f"{location}:{rule.line} `{rule.pattern}` never applies: line {later.line} "
                    f"`{later.pattern}` matches the same files and the last match wins. Move "
                    f"line {rule.line} below line {later.line} (broad rules first, specific last)."
                )
        return "\n".join(fixes) or None


@register
class OWN105(OwnershipCheck):
    """Every critical path named in policies/ownership.md has its owner in CODEOWNERS"""

    scope = "adoption"
    kinds = frozenset()
    requires = frozenset({"OWN101"})
    files_expected = (OWNERSHIP_POLICY,)

    def check(self, repo: Repo) -> str | None:
        policy = repo.text(OWNERSHIP_POLICY)
        if policy is None:
            return (
                f"Create {OWNERSHIP_POLICY} with a table of critical paths:\n"
                "| Path | Owner | Why |\n|---|---|---|\n"
                "| `/.github/` | `@OWNER/PLATFORM-TEAM` | CI and branch protection |"
            )
        critical = [
            (m["path"], re.findall(r"[^\s`,]+", m["owners"]))
            for m in map(_POLICY_ROW.match, policy.splitlines())
            if m
        ]
        if not critical:
            return (
                f"List the critical paths in {OWNERSHIP_POLICY} as table rows: "
                "| `/path/` | `@org/team` | why |"
            )
        location, rules = _rules(repo)
        fixes: list[str] = []
        for path, owners in critical:
            probe = path.lstrip("/") + (_PROBE if path.endswith("/") else "")
            winner = next((r for r in reversed(rules) if r.matches(probe)), None)
            if (
                winner is None
                or winner.pattern in {"*", "**", "/**"}
                or not set(owners) <= set(winner.owners)
            ):
                got = "nobody" if winner is None else f"line {winner.line} `{winner.pattern}`"
                fixes.append(
                    f"`{path}` is owned by {got}; add `{path} {' '.join(owners)}` to "
                    f"{location} below the broader rules."
                )
        return "\n".join(fixes) or None
