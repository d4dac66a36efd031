"""Audit reports: text (grouped by family), JSON (stable, documented in docs/audit.md),
Markdown and SARIF 2.1.0 (loads in GitHub code scanning)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from govkit import __version__
from govkit.audit.report import Audit, CheckResult
from govkit.checks import Status

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
    lines = [f"govkit audit {audit.root}", "", "Snapshot"]
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
            lines += [
                f"### {r.check.id()} — {r.check.title()}",
                "",
                "```text",
                r.message,
                "```",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


_SARIF_LEVEL = {"P0": "error", "P1": "warning", "P2": "note"}


def render_sarif(audit: Audit) -> str:
    rules = [
        {
            "id": r.check.id(),
            "name": r.check.__name__,
            "shortDescription": {"text": r.check.title()},
            "help": {
                "text": f"Seed ticket {r.check.ticket}; run `govkit audit --select "
                f"{r.check.id()}` for the exact fix."
            },
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.check.severity]},
            "properties": {"tags": [r.check.family, r.check.ticket], "severity": r.check.severity},
        }
        for r in sorted(audit.results, key=lambda r: r.check.id())
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": r.check.id(),
            "ruleIndex": index[r.check.id()],
            "level": _SARIF_LEVEL[r.check.severity],
            "message": {"text": r.message or r.check.title()},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": (r.check.files_expected or ("README.md",))[0],
                            "uriBaseId": "%SRCROOT%",
                        }
                    }
                }
            ],
        }
        for r in audit.failures
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
                        "informationUri": "https://github.com/acme/govkit",
                        "rules": rules,
                    }
                },
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
