"""Branch protection as code (T17): the default-branch ruleset and the CI jobs it requires.

GitHub reports an Actions job as a status check whose context is the job's ``name:`` or,
without one, its id; a matrix job reports one context per combination, "id (a, b)".
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import yaml

from govkit.checks.base import (
    EVERY_REPOSITORY,
    Check,
    Skip,
    register,
)
from govkit.repo import Repo
from govkit.rulesets.spec import RULESET_FILE, default_ruleset, problems, required_contexts

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target", "merge_group"})
BRANCH_PROTECTION_DOC = "docs/branch-protection.md"


@dataclass(frozen=True)
class Job:
    workflow: str
    id: str
    contexts: frozenset[str]  # the exact status-check contexts it reports
    prefix: str | None  # set when a matrix makes the contexts unknowable offline: "id ("
    on_pull_request: bool

    def produces(self, context: str) -> bool:
        return context in self.contexts or (
            self.prefix is not None and context.startswith(self.prefix)
        )


def _triggers(workflow: dict[Any, Any]) -> set[str]:
    # YAML 1.1 reads the key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on}
    if isinstance(on, list | dict):
        return {str(event) for event in on}
    return set()


def _contexts(job_id: str, job: dict[str, Any]) -> tuple[frozenset[str], str | None]:
    name = job.get("name")
    base = name if isinstance(name, str) and "${{" not in name else job_id
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if matrix is None or (isinstance(name, str) and "${{" in name):
        return frozenset({base}), None
    axes = matrix if isinstance(matrix, dict) else {}
    literal = bool(axes) and all(isinstance(v, list) and v for v in axes.values())
    if not literal or set(axes) & {"include", "exclude"}:
        return frozenset(), f"{base} ("
    combos = itertools.product(*(axes[k] for k in axes))
    return frozenset(f"{base} ({', '.join(str(v) for v in c)})" for c in combos), None


def ci_jobs(repo: Repo) -> tuple[list[Job], list[str]]:
    """Every job of every workflow, and the workflow files that could not be parsed."""
    jobs: list[Job] = []
    broken: list[str] = []
    for path in repo.workflow_files:
        try:
            workflow = repo.yaml(path)
        except yaml.YAMLError:
            broken.append(path)
            continue
        if not isinstance(workflow, dict) or not isinstance(workflow.get("jobs"), dict):
            broken.append(path)
            continue
        on_pr = bool(_triggers(workflow) & PULL_REQUEST_EVENTS)
        for job_id, job in workflow["jobs"].items():
            contexts, prefix = _contexts(str(job_id), job if isinstance(job, dict) else {})
            jobs.append(Job(path, str(job_id), contexts, prefix, on_pr))
    return jobs, broken


def _ruleset(repo: Repo) -> Any:
    try:
        return repo.json(RULESET_FILE)
    except ValueError as error:
        raise Skip(f"{RULESET_FILE} is not valid JSON: {error}") from error


class RulesetCheck(Check):
    """Branch protection as a ruleset JSON beside the CI jobs, the kit's convention."""

    ticket = "T17"
    scope = "adoption"
    kinds = frozenset()
    applies = EVERY_REPOSITORY


@register
class BP101(RulesetCheck):
    """The default-branch ruleset blocks deletion, force pushes and unreviewed or red merges"""

    family = "ci"
    severity = "P0"
    files_expected = (RULESET_FILE,)

    def check(self, repo: Repo) -> str | None:
        try:
            data = repo.json(RULESET_FILE)
        except ValueError as error:
            return f"Make {RULESET_FILE} valid JSON ({error})."
        if data is None:
            jobs, _ = ci_jobs(repo)
            contexts = sorted({c for j in jobs if j.on_pull_request for c in j.contexts})
            snippet = json.dumps(default_ruleset(contexts or ["lint", "tests"]), indent=2)
            return (
                f"Create {RULESET_FILE} (then `govkit rulesets apply --repo OWNER/NAME`):\n"
                f"{snippet}"
            )
        found = problems(data)
        if found:
            return f"In {RULESET_FILE}:\n" + "\n".join(f"- {p}" for p in found)
        return None


@register
class BP102(RulesetCheck):
    """Every required status check is reported by a CI job that runs on pull requests"""

    family = "ci"
    severity = "P0"
    requires = frozenset({"BP101"})
    files_expected = (RULESET_FILE, ".github/workflows/ci.yml")

    def check(self, repo: Repo) -> str | None:
        jobs, broken = ci_jobs(repo)
        fixes: list[str] = []
        orphans: list[str] = []
        for context in required_contexts(_ruleset(repo)):
            producers = [j for j in jobs if j.produces(context)]
            if any(j.on_pull_request for j in producers):
                continue
            if producers:
                job = producers[0]
                fixes.append(
                    f"- `{context}`: job `{job.id}` in {job.workflow} never runs on pull "
                    "requests; add `pull_request:` to that workflow's `on:`."
                )
            else:
                orphans.append(context)
        if orphans:
            entries = ", ".join(f'{{"context": "{c}"}}' for c in orphans)
            fixes.append(
                f"- no workflow job reports {', '.join(f'`{c}`' for c in orphans)}, so "
                "every pull request would wait for them forever. Add one job per "
                "context to .github/workflows/ci.yml (job id = context, running "
                f"`nox -s <id>`), or remove {entries} from {RULESET_FILE}."
            )
        if not fixes:
            return None
        known = sorted({c for j in jobs if j.on_pull_request for c in j.contexts})
        tail = [f"Contexts CI reports on pull requests: {', '.join(known) or 'none'}."]
        if broken:
            tail.append(f"Unreadable workflow files (no jobs counted): {', '.join(broken)}.")
        return "\n".join(["Required status checks that no CI job reports:", *fixes, *tail])


@register
class BP103(RulesetCheck):
    """Every CI job that runs on pull requests is a required status check"""

    family = "ci"
    severity = "P2"
    requires = frozenset({"BP101"})
    files_expected = (RULESET_FILE,)

    def check(self, repo: Repo) -> str | None:
        jobs = [j for j in ci_jobs(repo)[0] if j.on_pull_request]
        if not jobs:
            raise Skip("no workflow runs on pull requests")
        required = required_contexts(_ruleset(repo))
        missing: list[str] = []
        for job in jobs:
            if job.prefix is not None:
                if not any(c.startswith(job.prefix) for c in required):
                    missing.append(f"{job.prefix}...)")
            else:
                missing.extend(sorted(c for c in job.contexts if c not in required))
        if not missing:
            return None
        entries = ", ".join(f'{{"context": "{c}"}}' for c in missing)
        return (
            f"CI jobs that a red run would not block: {', '.join(missing)}. Add {entries} "
            f"to required_status_checks in {RULESET_FILE}, or stop running the job on "
            "pull requests if it is not a gate."
        )


@register
class BP104(RulesetCheck):
    """Branch protection is documented next to the ruleset"""

    family = "docs"
    severity = "P1"
    files_expected = (BRANCH_PROTECTION_DOC,)

    def check(self, repo: Repo) -> str | None:
        text = repo.text(BRANCH_PROTECTION_DOC)
        if text is None:
            return (
                f"Create {BRANCH_PROTECTION_DOC}: what the ruleset in {RULESET_FILE} enforces "
                "and why, and how to apply it (`govkit rulesets apply --repo OWNER/NAME`) "
                "and verify it (`govkit rulesets apply --repo OWNER/NAME --verify`)."
            )
        needed = (RULESET_FILE, "govkit rulesets apply", "--verify", "govkit rulesets check")
        absent = [n for n in needed if n not in text]
        if absent:
            return (
                f"Mention {', '.join(f'`{n}`' for n in absent)} in {BRANCH_PROTECTION_DOC}, "
                "so a reader finds the file and the commands."
            )
        return None
