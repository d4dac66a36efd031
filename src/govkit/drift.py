"""Drift: GitHub's side compared with the repository's files, again after the first apply.

Four comparisons, each a list of lines (empty: no drift): the default-branch ruleset on GitHub
against ``.github/rulesets/default-branch.json``, the repository's labels against
``.github/labels.yml``, every team and user CODEOWNERS names against GitHub, and the template
version against the latest kit release (``copier check-update``). :class:`DriftIssue` keeps one
open issue that says all of it: opened on the first drift, updated while it lasts, closed when
GitHub matches the files again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from govkit.checks.codeowners import LOCATIONS, parse
from govkit.github import GitHubAPI, GitHubError
from govkit.labels import LABELS_FILE, LabelsClient, parse_labels, plan
from govkit.rulesets.client import RulesetsClient
from govkit.rulesets.diff import differences
from govkit.rulesets.spec import RULESET_FILE

MARKER = "<!-- govkit-drift -->"
TITLE = "govkit drift: GitHub no longer matches the repository's governance files"
ANSWERS_FILE = ".copier-answers.yml"


@dataclass
class Area:
    """One comparison: what it compared, its drift (one line each) and the command that fixes it."""

    name: str
    fix: str
    lines: list[str] = field(default_factory=list)
    skipped: str = ""  # why it did not apply


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read {path.name}: {error}") from None


def ruleset_drift(api: GitHubAPI, repo: str, root: Path) -> Area:
    area = Area("Branch ruleset", f"govkit rulesets apply --repo {repo}")
    path = root / RULESET_FILE
    if not path.is_file():
        area.skipped = f"no {RULESET_FILE}"
        return area
    try:
        wanted = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"{RULESET_FILE} is not valid JSON: {error}") from None
    name = str(wanted.get("name", "")) if isinstance(wanted, dict) else ""
    live = RulesetsClient(api.http, repo).find(name)
    if live is None:
        area.lines.append(f"GitHub has no ruleset named `{name}`: the branch is unprotected")
    else:
        area.lines.extend(differences(wanted, live))
    return area


def labels_drift(api: GitHubAPI, repo: str, root: Path) -> Area:
    area = Area("Labels", f"govkit labels apply --repo {repo} --prune")
    path = root / LABELS_FILE
    if not path.is_file():
        area.skipped = f"no {LABELS_FILE}"
        return area
    labels, problems = parse_labels(_load_yaml(path))
    if problems:
        raise ValueError(f"{LABELS_FILE}: {problems[0]} (run `govkit labels check`)")
    for change in plan(labels, LabelsClient(api, repo).list(), prune=True):
        if change.action == "create":
            area.lines.append(f"label `{change.name}` is in {LABELS_FILE} but not on GitHub")
        elif change.action == "update":
            area.lines.append(f"label `{change.name}` differs on GitHub: {change.detail}")
        else:
            area.lines.append(f"label `{change.name}` is on GitHub but not in {LABELS_FILE}")
    return area


def _exists(api: GitHubAPI, url: str) -> bool:
    try:
        api.request("GET", url)
    except GitHubError as error:
        if error.status == 404:
            return False
        raise
    return True


def codeowners_drift(api: GitHubAPI, repo: str, root: Path) -> Area:
    area = Area("CODEOWNERS", "create the team, grant it write access, or fix CODEOWNERS")
    location = next((rel for rel in LOCATIONS if (root / rel).is_file()), None)
    if location is None:
        area.skipped = "no CODEOWNERS file"
        return area
    owners = sorted(
        {o for rule in parse((root / location).read_text(encoding="utf-8")) for o in rule.owners}
    )
    for owner in (o for o in owners if o.startswith("@")):
        login, _, team = owner[1:].partition("/")
        if not team:
            if not _exists(api, f"/users/{quote(login)}"):
                area.lines.append(f"{location} names {owner}, which is not a GitHub user")
            continue
        base = f"/orgs/{quote(login)}/teams/{quote(team)}"
        if not _exists(api, base):
            area.lines.append(f"{location} names {owner}, but {login} has no such team")
        elif not _has_write(api, f"{base}/repos/{repo}"):
            area.lines.append(
                f"{location} names {owner}, which cannot write to {repo}: "
                "GitHub ignores code owners without write access"
            )
    return area


def _has_write(api: GitHubAPI, url: str) -> bool:
    try:
        response = api.request("GET", url, accept="application/vnd.github.v3.repository+json")
    except GitHubError as error:
        if error.status == 404:
            return False
        raise
    permissions = response.json().get("permissions", {}) if response.content else {}
    return bool(permissions.get("push") or permissions.get("maintain") or permissions.get("admin"))


Runner = Callable[[list[str], Path], subprocess.CompletedProcess[str]]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603


def template_drift(root: Path, run: Runner = _run) -> Area:
    area = Area("Template", "copier update --trust --defaults (docs/template.md)")
    if not (root / ANSWERS_FILE).is_file():
        area.skipped = f"not stamped from the template (no {ANSWERS_FILE})"
        return area
    copier = shutil.which("copier")
    if copier is None:
        raise ValueError("copier is not installed: `pip install copier` (or `nox -s drift`)")
    result = run([copier, "check-update", "--output-format", "json"], root)
    try:
        status = json.loads(result.stdout)
    except ValueError:
        status = None
    if result.returncode != 0 or not isinstance(status, dict):
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ValueError(f"copier check-update failed: {detail[-1] if detail else 'no output'}")
    if status.get("update_available"):
        area.lines.append(
            f"the template is at {status.get('current_version')}, the latest kit release is "
            f"{status.get('latest_version')}"
        )
    return area


def report(repo: str, areas: list[Area]) -> str:
    """The Markdown body of the drift issue (or of a clean report)."""
    lines = [MARKER, f"`govkit drift` compared GitHub's side of {repo} with its files.", ""]
    for area in areas:
        if area.skipped:
            lines.append(f"- **{area.name}**: not checked ({area.skipped})")
        elif not area.lines:
            lines.append(f"- **{area.name}**: matches")
        else:
            lines.append(f"- **{area.name}**: {len(area.lines)} difference(s); fix: `{area.fix}`")
            lines.extend(f"  - {line}" for line in area.lines)
    lines += [
        "",
        "The files in the repository are the source of truth: apply them (the fix commands "
        "above), or change the files through a pull request. This issue is updated on every "
        "drift run and closed when nothing differs.",
    ]
    return "\n".join(lines) + "\n"


class DriftIssue:
    """The one open issue that reports drift, found by the marker in its body."""

    def __init__(self, api: GitHubAPI, repo: str) -> None:
        self.api = api
        self.base = f"/repos/{repo}/issues"

    def find(self) -> dict[str, Any] | None:
        for issue in self.api.paginate(f"{self.base}?state=open&per_page=100"):
            if "pull_request" not in issue and MARKER in str(issue.get("body") or ""):
                return issue
        return None

    def sync(self, body: str, drifted: bool) -> str:
        """Open, update or close the issue; what was done, as one line."""
        current = self.find()
        if drifted and current is None:
            created = self.api.object("POST", self.base, {"title": TITLE, "body": body})
            return f"opened issue #{created.get('number')}"
        if drifted and current is not None:
            number = current["number"]
            if current.get("body") != body:
                self.api.object("PATCH", f"{self.base}/{number}", {"body": body})
                return f"updated issue #{number}"
            return f"issue #{number} already says this"
        if current is not None:
            number = current["number"]
            self.api.object(
                "POST",
                f"{self.base}/{number}/comments",
                {"body": "GitHub matches the repository's files again: closing.\n\n" + body},
            )
            self.api.object(
                "PATCH", f"{self.base}/{number}", {"state": "closed", "state_reason": "completed"}
            )
            return f"closed issue #{number}"
        return "no drift issue to open"
