"""Secrets guardrails: a pre-commit hook that scans for secrets, and an audited baseline."""

from __future__ import annotations

from typing import Any

import yaml

from govkit.checks.base import EVERY_REPOSITORY, Check, register
from govkit.repo import Repo
from govkit.secrets import DEFAULT_BASELINE, baseline_problems
from govkit.secrets.adoption import AdoptionError, adoption_of

PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
_SCANNERS = ("govkit secrets scan", "detect-secrets-hook")

HOOK_SNIPPET = """\
repos:
  - repo: local
    hooks:
      - id: secrets
        name: detect-secrets with govkit plugins, against .secrets.baseline
        entry: uv run --frozen govkit secrets scan
        language: unsupported"""


class SecretsCheck(Check):
    """The kit's secret-scanning setup (hook and audited baseline): adoption."""

    family = "security"
    ticket = "T16"
    scope = "adoption"
    kinds = frozenset()
    applies = EVERY_REPOSITORY


@register
class SEC101(SecretsCheck):
    """pre-commit scans every commit for secrets"""

    severity = "P1"
    files_expected = (PRE_COMMIT_CONFIG,)

    def check(self, repo: Repo) -> str | None:
        try:
            config = repo.yaml(PRE_COMMIT_CONFIG)
        except yaml.YAMLError as error:
            return f"{PRE_COMMIT_CONFIG} is not valid YAML: {str(error).splitlines()[0]}"
        if config is None:
            return f"Create {PRE_COMMIT_CONFIG} with a secrets hook:\n{HOOK_SNIPPET}"
        if any(_scans_secrets(hook) for hook in hooks(config)):
            return None
        return f"{PRE_COMMIT_CONFIG} has no secrets hook. Add:\n{HOOK_SNIPPET}"


def hooks(config: Any) -> list[dict[str, Any]]:
    repos = config.get("repos") if isinstance(config, dict) else None
    return [
        hook
        for entry in (repos if isinstance(repos, list) else [])
        if isinstance(entry, dict) and isinstance(entry.get("hooks"), list)
        for hook in entry["hooks"]
        if isinstance(hook, dict)
    ]


def _scans_secrets(hook: dict[str, Any]) -> bool:
    entry = str(hook.get("entry", ""))
    return hook.get("id") == "detect-secrets" or any(s in entry for s in _SCANNERS)


@register
class SEC102(SecretsCheck):
    """The detect-secrets baseline exists and every entry is audited as a false positive"""

    severity = "P0"
    files_expected = (DEFAULT_BASELINE,)

    def check(self, repo: Repo) -> str | None:
        try:
            baseline = repo.json(DEFAULT_BASELINE)
        except ValueError:
            return f"{DEFAULT_BASELINE} is not JSON: recreate it with `govkit secrets baseline`"
        if baseline is None:
            return f"Create {DEFAULT_BASELINE}: `govkit secrets baseline`, then commit it"
        if not isinstance(baseline, dict) or not isinstance(baseline.get("results"), dict):
            return f"{DEFAULT_BASELINE} is not a detect-secrets baseline: `govkit secrets baseline`"
        try:
            pending = adoption_of(repo.root).pending
        except AdoptionError as error:
            return str(error)
        problems = baseline_problems(baseline, pending)
        if not problems:
            return None
        lines = [f"  {finding} ({problem})" for finding, problem in problems]
        return "\n".join(
            [
                f"{DEFAULT_BASELINE} holds entries that are not audited false positives:",
                *lines,
                f"Run `uv run detect-secrets audit {DEFAULT_BASELINE}`; rotate a real "
                "secret, delete it from the file, then `govkit secrets baseline`.",
            ]
        )
