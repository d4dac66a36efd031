"""Audit reports: text (grouped by family), JSON (stable, documented in docs/audit.md),
Markdown and SARIF 2.1.0 (loads in GitHub code scanning)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govkit import __version__
from govkit.audit.backlog import fenced
from govkit.audit.report import Audit, CheckResult
from govkit.checks import Check, Finding, Status

JSON_SCHEMA_VERSION = 1
FAMILY_ORDER = (
    "ci",
    "security",
    "ownership",
    "docs",
    "migrations",
    "api",
    "observability",
    "code-health",
)


def _state(result: CheckResult) -> str:
    return "ignored" if result.ignored is not None else result.status.value


def _by_family(audit: Audit) -> list[tuple[str, list[CheckResult]]]:
    families = sorted(
        {r.check.family for r in audit.results},
        key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else 99, f),
    )
    return [(f, [r for r in audit.results if r.check.family == f]) for f in families]


def render_text(audit: Audit) -> str:
    lines = [f"govkit audit {audit.root}", "", "Profile"]
    lines += [f"  {line}" for line in audit.profile.summary()]
    lines += ["", "Snapshot"]
    lines += [f"  {line}" for line in audit.snapshot.lines()]
    for family, results in _by_family(audit):
        lines += ["", family]
        for r in results:
            lines.append(
                f"  {_state(r):7} {r.check.id():8} {r.check.severity} "
                f"{r.check.ticket} {r.check.scope:8} {r.check.title()}"
            )
            detail = f"ignored: {r.ignored}" if r.ignored is not None else r.message
            if detail and (r.status is not Status.PASS or r.ignored is not None):
                lines += [f"          {m}" for m in detail.splitlines()]
    failed = len(audit.failures)
    lines += [
        "",
        f"Health:   {audit.score}/100 (engineering health; the JSON's `score`)",
        f"Adoption: {audit.adoption}/100 (this kit's conventions)",
        f"{failed} failing check{'s' * (failed != 1)}",
    ]
    return "\n".join(lines) + "\n"


def as_json(audit: Audit) -> dict[str, Any]:
    return {
        "score": audit.score,
        "adoption": audit.adoption,
        "schema_version": JSON_SCHEMA_VERSION,
        "govkit_version": __version__,
        "root": audit.root,
        "snapshot": audit.snapshot.as_dict(),
        "profile": audit.profile.as_dict(),
        "checks": [
            {
                "id": r.check.id(),
                "title": r.check.title(),
                "family": r.check.family,
                "scope": r.check.scope,
                "kinds": sorted(r.check.kinds),
                "findings": [
                    {"path": f.path, "line": f.line, "message": f.message} for f in r.findings
                ],
                "severity": r.check.severity,
                "effort": r.check.effort,
                "ticket": r.check.ticket,
                "status": _state(r),
                "message": r.message,
                "ignored_reason": r.ignored,
                "requires": sorted(r.check.requires),
                "files_expected": list(r.check.files_expected),
            }
            for r in sorted(audit.results, key=lambda r: r.check.id())
        ],
    }


def render_json(audit: Audit) -> str:
    return json.dumps(as_json(audit), indent=2, sort_keys=True) + "\n"


def render_markdown(audit: Audit) -> str:
    lines = [
        f"# govkit audit: health {audit.score}/100, adoption {audit.adoption}/100",
        "",
        "## Profile",
        "",
        *[f"- {line}" for line in audit.profile.summary()],
        "",
        "## Snapshot",
        "",
    ]
    lines += [f"- {line}" for line in audit.snapshot.lines()]
    for family, results in _by_family(audit):
        lines += [
            "",
            f"## {family}",
            "",
            "| check | status | priority | ticket | title |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.check.id()} | {_state(r)} | {r.check.severity} | {r.check.ticket} | "
            f"{r.check.title()} |"
            for r in results
        ]
    if audit.failures:
        lines += ["", "## Fixes", ""]
        for r in audit.failures:
            lines += [f"### {r.check.id()} — {r.check.title()}", "", *fenced(r.message), ""]
    return "\n".join(lines).rstrip() + "\n"


_SARIF_LEVEL = {"P0": "error", "P1": "warning", "P2": "note"}
KIT_URL = "https://github.com/acme/govkit"
CHECKS_DOC = f"{KIT_URL}/blob/main/docs/checks.md"


def rule_help(check: type[Check]) -> str:
    """A rule's help text: what it checks, what it applies to, where its documentation is."""
    kinds = ", ".join(sorted(check.kinds)) or "none (a convention of this kit)"
    return (
        f"{check.title()}.\nScope: {check.scope}. Applies to: {check.applies.describe()}. "
        f"Problem kinds: {kinds}. Seed ticket {check.ticket}, priority {check.severity}.\n"
        f"The failure message is the fix; `govkit audit --select {check.id()}` prints it. "
        f"Documentation: {CHECKS_DOC}#{check.id().lower()}"
    )


def _anchor(audit: Audit, result: CheckResult) -> str | None:
    """Where a finding without a file is shown: the first expected file that exists, else the
    README; None when neither exists (the result then has no location)."""
    root = Path(audit.root)
    candidates = [f for f in result.check.files_expected if "*" not in f]
    candidates += ["README.md", "README.rst", "README"]
    return next((f for f in candidates if (root / f).is_file()), None)


def _sarif_result(
    audit: Audit, result: CheckResult, finding: Finding, index: int
) -> dict[str, Any]:
    path = finding.path or _anchor(audit, result)
    entry: dict[str, Any] = {
        "ruleId": result.check.id(),
        "ruleIndex": index,
        "level": _SARIF_LEVEL[result.check.severity],
        "message": {"text": finding.message},
    }
    if path is not None:
        entry["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line or 1},
                }
            }
        ]
    return entry


def render_sarif(audit: Audit) -> str:
    checks = sorted({r.check for r in audit.results}, key=lambda c: c.id())
    rules = [
        {
            "id": check.id(),
            "name": check.__name__,
            "shortDescription": {"text": check.title()},
            "fullDescription": {"text": rule_help(check).splitlines()[1]},
            "help": {"text": rule_help(check)},
            "helpUri": f"{CHECKS_DOC}#{check.id().lower()}",
            "defaultConfiguration": {"level": _SARIF_LEVEL[check.severity]},
            "properties": {
                "tags": [check.family, check.scope, check.ticket, *sorted(check.kinds)],
                "severity": check.severity,
            },
        }
        for check in checks
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        _sarif_result(audit, r, finding, index[r.check.id()])
        for r in audit.failures
        for finding in r.findings
    ]
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govkit",
                        "version": __version__,
                        "informationUri": KIT_URL,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(audit.root).as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, sort_keys=True) + "\n"


RENDERERS: dict[str, Callable[[Audit], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
