"""Operational runbooks (T19): incident-first sections, and every alert pointing at one.

Alerts come from the rendered Prometheus rules (ops/prometheus/*.yml); each alert's
``runbook_url`` annotation must end in ``runbooks/<file>.md`` for a runbook that exists. A
runbook names the alerts that send people to it in backticks in its Detection section.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import yaml

from govkit.checks import _markdown
from govkit.checks.base import (
    EVERY_REPOSITORY,
    Check,
    Skip,
    register,
)
from govkit.repo import Repo

RUNBOOK_DIR = "runbooks"
INDEX = f"{RUNBOOK_DIR}/README.md"
RULES_DIR = "ops/prometheus/"
SECTIONS = ("Severity", "Detection", "First 15 minutes", "Diagnosis", "Mitigation", "Escalation")
ALERT_NAME = re.compile(r"`([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)`")
RUNBOOK_URL = re.compile(r"(?:^|/)runbooks/([A-Za-z0-9._-]+\.md)(?:#.*)?$")
OWNER = re.compile(r"@[A-Za-z0-9-]+(?:/[A-Za-z0-9._-]+)?|[\w.+-]+@[\w-]+\.[\w.]+")


def runbook_files(repo: Repo) -> list[str]:
    return [
        f
        for f in repo.files
        if f.startswith(f"{RUNBOOK_DIR}/")
        and str(PurePosixPath(f).parent) == RUNBOOK_DIR
        and f.endswith(".md")
        and f != INDEX
    ]


def alerts(repo: Repo) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[str]]:
    """Every alerting rule by name, with its file and rule, and the rule files that are broken."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    broken: list[str] = []
    for path in repo.files:
        if not path.startswith(RULES_DIR) or not path.endswith((".yml", ".yaml")):
            continue
        try:
            data = repo.yaml(path)
        except yaml.YAMLError:
            broken.append(path)
            continue
        groups = data.get("groups") if isinstance(data, dict) else None
        for group in groups if isinstance(groups, list) else []:
            rules = group.get("rules") if isinstance(group, dict) else None
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, dict) and isinstance(rule.get("alert"), str):
                    found[rule["alert"]] = (path, rule)
    return found, broken


def _detection_alerts(text: str) -> list[str]:
    detection = _markdown.find(_markdown.sections(text), "Detection")
    return ALERT_NAME.findall(detection.body) if detection else []


class RunbookCheck(Check):
    """Runbooks and their links to the SLO alerts, the kit's convention: adoption."""

    ticket = "T19"
    scope = "adoption"
    kinds = frozenset()
    applies = EVERY_REPOSITORY


@register
class RB101(RunbookCheck):
    """Every runbook has severity, detection, first 15 minutes, diagnosis, mitigation, escalation"""

    family = "docs"
    severity = "P1"
    files_expected = (f"{RUNBOOK_DIR}/api-degraded.md", f"{RUNBOOK_DIR}/ml-sync-delayed.md")

    def check(self, repo: Repo) -> str | None:
        files = runbook_files(repo)
        if not files:
            return (
                f"Write a runbook per alert family in {RUNBOOK_DIR}/ (e.g. "
                f"{RUNBOOK_DIR}/api-degraded.md) with the sections:\n"
                + "\n".join(f"## {s}" for s in SECTIONS)
            )
        fixes: list[str] = []
        for path in files:
            fixes.extend(f"{path}: {fix}" for fix in _problems(repo.text(path) or ""))
        return "\n".join(fixes) or None


def _problems(text: str) -> list[str]:
    found = _markdown.sections(text)
    fixes: list[str] = []
    for name in SECTIONS:
        section = _markdown.find(found, name)
        if section is None:
            fixes.append(f"add the section `## {name}`")
        elif not section.body:
            fixes.append(f"fill in `## {section.title}`")
    by_name = {name: _markdown.find(found, name) for name in SECTIONS}
    severity, first, diagnosis, escalation = (
        by_name["Severity"],
        by_name["First 15 minutes"],
        by_name["Diagnosis"],
        by_name["Escalation"],
    )
    if severity and severity.body and not re.search(r"\b(?:P[0-4]|SEV[0-4])\b", severity.body):
        fixes.append("say the severity as P1..P4 (or SEV1..SEV4) under `## Severity`")
    if first and first.body and not re.search(r"^\s*1\.\s", first.body, re.MULTILINE):
        fixes.append("write `## First 15 minutes` as numbered steps (`1. ...`)")
    if diagnosis and diagnosis.body and not _markdown.code_blocks(diagnosis.body):
        fixes.append(
            "give the exact commands and log queries under `## Diagnosis` in a fenced code block"
        )
    if escalation and escalation.body and not OWNER.search(escalation.body):
        fixes.append("name the escalation owner under `## Escalation` (`@org/team` or an email)")
    return fixes


@register
class RB102(RunbookCheck):
    """Every alert in the SLO rules links to a runbook that exists"""

    family = "observability"
    severity = "P1"

    def check(self, repo: Repo) -> str | None:
        found, broken = alerts(repo)
        if not found and not broken:
            raise Skip(f"no alerting rules under {RULES_DIR}")
        fixes = [f"{path}: not valid YAML, so its alerts cannot be checked." for path in broken]
        for name, (path, rule) in sorted(found.items()):
            annotations = rule.get("annotations")
            url = annotations.get("runbook_url") if isinstance(annotations, dict) else None
            match = RUNBOOK_URL.search(url) if isinstance(url, str) else None
            if match is None:
                fixes.append(
                    f"{path}: alert {name} needs the annotation "
                    f"`runbook_url: .../{RUNBOOK_DIR}/<file>.md`."
                )
            elif not repo.exists(f"{RUNBOOK_DIR}/{match[1]}"):
                fixes.append(
                    f"{path}: alert {name} links {RUNBOOK_DIR}/{match[1]}, which does "
                    "not exist; write it or point runbook_url at an existing runbook."
                )
        return "\n".join(fixes) or None


@register
class RB103(RunbookCheck):
    """Every alert a runbook's Detection section names exists in the SLO rules"""

    family = "observability"
    severity = "P2"
    requires = frozenset({"RB101"})

    def check(self, repo: Repo) -> str | None:
        found, _ = alerts(repo)
        if not found:
            raise Skip(f"no alerting rules under {RULES_DIR}")
        fixes: list[str] = []
        for path in runbook_files(repo):
            fixes.extend(
                f"{path}: `{name}` is not an alert in {RULES_DIR}; use one of "
                f"{', '.join(sorted(found))}."
                for name in _detection_alerts(repo.text(path) or "")
                if name not in found
            )
        return "\n".join(fixes) or None


@register
class RB104(RunbookCheck):
    """The runbook index lists every runbook"""

    family = "docs"
    severity = "P2"
    requires = frozenset({"RB101"})
    files_expected = (INDEX,)

    def check(self, repo: Repo) -> str | None:
        files = runbook_files(repo)
        index = repo.text(INDEX)
        lines = [f"- [{PurePosixPath(f).stem}]({PurePosixPath(f).name})" for f in files]
        if index is None:
            return f"Create {INDEX} listing every runbook:\n" + "\n".join(lines)
        absent = [
            line
            for f, line in zip(files, lines, strict=True)
            if f"({PurePosixPath(f).name})" not in index
            and f"(./{PurePosixPath(f).name})" not in index
        ]
        return "\n".join(f"Add to {INDEX}: {line}" for line in absent) or None
