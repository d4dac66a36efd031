"""Placeholder content: text left as stamped where it stands in for work that was meant to be done.

A runbook still holding ``TODO(team)``, CODEOWNERS naming the template's example owners
(``@acme/...``), a pull request template with the maintainers' own TODOs, a secret setting whose
default is ``changethis`` with nothing refusing it: each passes the check of its form and fails
here, at its file and line. The kit itself (its ``copier.yml`` defaults ``github_owner`` to the
example organisation) may name that organisation, unless the repository shows another owner;
template sources (a ``{{ ... }}`` in the path) are content for the repositories they stamp.

``govkit check`` (the gate) lists these as ``todo``: filling them in is the team's work after a
stamp, not a reason to block every pull request; ``govkit audit`` counts them as failures.
"""

from __future__ import annotations

import ast
import re
from pathlib import PurePosixPath
from typing import Any

import yaml

from govkit.checks.base import Finding, Skip, register
from govkit.checks.code_health import CodeCheck
from govkit.checks.codeowners import LOCATIONS, OwnershipCheck, parse
from govkit.checks.debug import dev_only
from govkit.checks.docs import PR_TEMPLATE_LOCATIONS, TemplateDocCheck
from govkit.checks.env_files import is_placeholder, names_a_secret
from govkit.checks.runbooks import RunbookCheck
from govkit.profile import Profile, profile_of
from govkit.repo import Repo

# The example organisation of the kit's template (copier.yml: github_owner's default); a test
# keeps the two in step.
EXAMPLE_ORGS = frozenset({"acme"})
ANSWERS_FILE = ".copier-answers.yml"
# A marker in quotes ("TODO(team)") is a mention of one, not a marker.
_MARKER = re.compile(r"(?<![\"'`])\b(?:TODO|TBD|FIXME)\b(?:\([^)]*\))?")
_PR_MARKER = re.compile(
    r"(?<![\"'`])\b(?:TODO|TBD|FIXME)\b|lorem ipsum|replace this (?:section|template|text)", re.I
)
_PLACEHOLDER_SECRET = re.compile(r"^(?:change[-_ ]?(?:this|me|it)|replace[-_ ]?me)$", re.I)
_REMOTE_OWNER = re.compile(r"github\.com[:/]([A-Za-z0-9-]+)/", re.I)


def _is_the_template(repo: Repo) -> bool:
    """This kit (or a fork): its Copier questions default to the example organisation."""
    for name in ("copier.yml", "copier.yaml"):
        try:
            questions = repo.yaml(name)
        except yaml.YAMLError:
            continue
        owner = questions.get("github_owner") if isinstance(questions, dict) else None
        default = owner.get("default") if isinstance(owner, dict) else owner
        if isinstance(default, str) and default.lower() in EXAMPLE_ORGS:
            return True
    return False


def _template_source(rel: str) -> bool:
    return "{{" in rel or "{%" in rel


def runbook_files(repo: Repo) -> list[str]:
    """Markdown files in a `runbooks/` (or `runbook/`) folder anywhere, indexes excepted."""
    return [
        rel
        for rel in repo.files
        if rel.endswith(".md")
        and "runbook" in rel  # a string test before the path's parts: every file passes here
        and {"runbooks", "runbook"} & set(PurePosixPath(rel).parts[:-1])
        and PurePosixPath(rel).name.lower() != "readme.md"
        and not _template_source(rel)
        and not {"fixtures", "testdata"} & set(PurePosixPath(rel).parts)
    ]


def marker_lines(text: str, pattern: re.Pattern[str] = _MARKER) -> list[tuple[int, str]]:
    return [
        (number, match[0])
        for number, line in enumerate(text.splitlines(), start=1)
        if (match := pattern.search(line))
    ]


def runbook_placeholders(repo: Repo) -> list[Finding]:
    files = runbook_files(repo)
    if not files:
        raise Skip("no runbooks")
    found: list[Finding] = []
    for rel in files:
        found.extend(
            Finding(
                f"`{marker}` left in the runbook: on-call reads this during an incident. Write "
                "what is true for this service (symptoms, alert names, the switches that "
                "mitigate) in place of the marker.",
                rel,
                number,
            )
            for number, marker in marker_lines(repo.text(rel) or "")
        )
    return found


def _answers(repo: Repo) -> dict[str, Any]:
    try:
        data = repo.yaml(ANSWERS_FILE)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _real_owner(repo: Repo, owners: set[str]) -> str | None:
    """Evidence of who really owns the repository, other than an example organisation."""
    answered = str(_answers(repo).get("github_owner", "")).lower()
    if answered and answered not in EXAMPLE_ORGS:
        return f"{ANSWERS_FILE} says github_owner: {answered}"
    config = repo.root / ".git" / "config"
    try:
        remote = _REMOTE_OWNER.search(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        remote = None
    if remote and remote[1].lower() not in EXAMPLE_ORGS:
        return f"the git remote is github.com/{remote[1]}"
    others = sorted(o for o in owners if _org(o) not in EXAMPLE_ORGS)
    if others:
        return f"CODEOWNERS also names {', '.join(others[:3])}"
    return None


def _org(owner: str) -> str:
    return owner.lstrip("@").split("/")[0].lower() if owner.startswith("@") else ""


def codeowners_placeholders(repo: Repo) -> list[Finding]:
    location = next((loc for loc in LOCATIONS if repo.exists(loc)), None)
    if location is None:
        raise Skip("no CODEOWNERS file (OWN101 says whether one is needed)")
    rules = parse(repo.text(location) or "")
    owners = {owner for rule in rules for owner in rule.owners}
    evidence = _real_owner(repo, owners)
    if evidence is None and _is_the_template(repo):
        return []  # the template itself, whose example organisation is its own
    why = f" ({evidence})" if evidence else ""
    return [
        Finding(
            f"`{rule.pattern}` is owned by {', '.join(examples)}, the template's example "
            f"organisation, not this repository's owners{why}: GitHub requests reviews from no "
            "one who exists here. Answer `github_owner` and the owner questions for real "
            "(`copier update --trust -a .copier-answers.yml` after editing the answers) or "
            "edit CODEOWNERS to name your teams.",
            location,
            rule.line,
        )
        for rule in rules
        if (examples := [o for o in rule.owners if _org(o) in EXAMPLE_ORGS])
    ]


def pr_template_placeholders(repo: Repo) -> list[Finding]:
    location = next((p for p in PR_TEMPLATE_LOCATIONS if repo.exists(p)), None)
    if location is None:
        raise Skip("no pull request template")
    return [
        Finding(
            f"`{marker}` in the pull request template is a note to whoever writes the "
            "template, not a prompt for the author: replace it with the question each pull "
            "request must answer.",
            location,
            number,
        )
        for number, marker in marker_lines(repo.text(location) or "", _PR_MARKER)
    ]


def secret_default_placeholders(repo: Repo, files: tuple[str, ...] | None = None) -> list[Finding]:
    """Settings whose secret defaults to `changethis` and no code refuses that value."""
    found: list[Finding] = []
    for rel in profile_of(repo).application_python_files if files is None else files:
        text = repo.text(rel) or ""
        if not any(w in text for w in ("hange", "HANGE", "eplace", "EPLACE")):  # before the regex
            continue
        if not re.search(r"change.?(?:this|me|it)|replace.?me", text, re.I):
            continue
        tree = repo.python_ast(rel)
        if tree is None:
            continue
        refused = {
            node.value.lower()
            for compare in ast.walk(tree)
            if isinstance(compare, ast.Compare)
            for node in ast.walk(compare)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign | ast.AnnAssign):
                continue
            target, value = _assignment(node)
            if (
                target
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and _PLACEHOLDER_SECRET.match(value.value)
                and names_a_secret(target)
                and value.value.lower() not in refused
            ):
                found.append(
                    Finding(
                        f"{target} defaults to the placeholder {value.value!r} and nothing "
                        "refuses it: a deployment that forgets the variable runs with a secret "
                        "everyone knows. Give it no default, or refuse the placeholder outside "
                        f"development (`if self.{target.lower()} == {value.value!r} and not "
                        'development: raise ValueError("set ' + target.upper() + '")`).',
                        rel,
                        node.lineno,
                    )
                )
    return found


def _assignment(node: ast.Assign | ast.AnnAssign) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id, node.value
    return None, None


@register
class RB105(RunbookCheck):
    """Runbooks are written for this service: no TODO markers left from the skeleton"""

    kinds = frozenset({"placeholder-content"})
    family = "docs"
    severity = "P1"

    def check(self, repo: Repo) -> list[Finding]:
        return runbook_placeholders(repo)


@register
class OWN106(OwnershipCheck):
    """CODEOWNERS names this repository's owners, not the template's example organisation"""

    scope = "health"
    kinds = frozenset({"placeholder-content"})

    def check(self, repo: Repo) -> list[Finding]:
        return codeowners_placeholders(repo)


@register
class PR102(TemplateDocCheck):
    """The pull request template holds prompts for authors, not the maintainers' own TODOs"""

    kinds = frozenset({"placeholder-content"})

    def check(self, repo: Repo) -> list[Finding]:
        return pr_template_placeholders(repo)


@register
class SEC103(CodeCheck):
    """No secret setting defaults to a `changethis` placeholder that nothing refuses"""

    scope = "health"
    kinds = frozenset({"placeholder-content"})
    family = "security"
    severity = "P1"
    ticket = "T16"

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        return secret_default_placeholders(repo, profile.application_python_files)


# Names of settings holding a signing secret: SECRET_KEY, JWT_SECRET, jwt_secret_key, ...
_SIGNING_SECRET = re.compile(r"^(?:\w+_)?(?:SECRET_KEY|SECRET|JWT_SECRET\w*|SIGNING_KEY)$", re.I)
_MIN_SECRET_LENGTH = 8
# A setting whose name says only development or tests use it (DEV_JWT_SECRET, TEST_SECRET_KEY).
_DEV_NAME = re.compile(r"^(?:dev|development|local|test|testing|example|fake)_", re.I)


def _literal_default(value: ast.expr | None) -> ast.Constant | None:
    """The string literal a setting holds: `"..."`, `os.getenv("X", "...")`,
    `env("X", default="...")`, `Field(default="...")`."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value
    if isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg == "default":
                return _literal_default(keyword.value)
        if len(value.args) >= 2:  # getenv(name, default)
            return _literal_default(value.args[1])
    return None


def hardcoded_signing_secrets(repo: Repo, files: tuple[str, ...]) -> list[Finding]:
    """A SECRET_KEY / JWT secret set (or defaulting) to a real-looking literal in code production
    loads. Placeholders (`changethis`: SEC103's) are not reported here; Django's
    `django-insecure-` key is: startproject writes it into the settings module production uses."""
    found: list[Finding] = []
    for rel in files:
        if dev_only(rel):
            continue
        text = repo.text(rel) or ""
        if not re.search(r"secret|signing_key", text, re.I):
            continue
        tree = repo.python_ast(rel)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Assign | ast.AnnAssign):
                continue
            target, value = _assignment(node)
            literal = _literal_default(value)
            if not target or literal is None or not _SIGNING_SECRET.match(target):
                continue
            if _DEV_NAME.match(target):
                continue
            secret = str(literal.value)
            if len(secret) < _MIN_SECRET_LENGTH or is_placeholder(secret):
                continue
            found.append(
                Finding(
                    f"{target} is a literal in the source: anyone who can read the repository "
                    "can sign sessions or tokens. Read it from the environment with no default "
                    f'(`{target} = os.environ["{target.upper()}"]`), rotate the committed value, '
                    "and keep any fixed key only in development/test settings.",
                    rel,
                    node.lineno,
                )
            )
    return found


@register
class SEC104(CodeCheck):
    """No signing secret (SECRET_KEY, JWT secret) written as a literal in deployed code"""

    scope = "health"
    kinds = frozenset({"hardcoded-secret"})
    family = "security"
    severity = "P0"
    ticket = "T16"

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        return hardcoded_signing_secrets(repo, profile.application_python_files)
