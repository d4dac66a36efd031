"""The catalogue of checks, generated from the classes: `govkit audit --list-checks`.

``--format markdown`` is docs/checks.md (``nox -s checks_doc`` rewrites it; a test fails when
the file and the classes disagree). Each check has a ``## ID`` heading, so ``docs/checks.md#id``
is its anchor (the SARIF rules' ``helpUri``).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable

from govkit.checks import Check

CHECKS_DOC = "docs/checks.md"
_HEADER = """\
# Checks

Every check `govkit check` and `govkit audit` run, generated from the check classes in
`src/govkit/checks/` by `nox -s checks_doc` (which runs
`govkit audit --list-checks --format markdown -o docs/checks.md`). Do not edit by hand: a test
fails when this file and the classes disagree.

- **Scope** says which score a check counts towards: `health` (what a mature repository of its
  kind should meet, the JSON's `score`) or `adoption` (this kit's own conventions). See
  [audit.md](audit.md).
- **Applies to** is read from the repository's profile; a check that does not apply is skipped
  with the reason.
- **Kinds** are the problem kinds it reports (`src/govkit/checks/kinds.py`).
- Select or ignore checks by id (`GH101`), id prefix (`GH`) or family (`security`); an ignore in
  `[tool.govkit] ignore` needs a reason.
"""


def _description(check: type[Check]) -> str:
    doc = inspect.cleandoc(check.__doc__ or "")
    return "\n".join(doc.splitlines()[1:]).strip()


def render_text(checks: list[type[Check]]) -> str:
    lines = [
        f"{c.id():8} {c.family:13} {c.scope:8} {c.severity} {c.ticket}  {c.title()}" for c in checks
    ]
    return "\n".join(lines) + "\n"


def render_markdown(checks: list[type[Check]]) -> str:
    lines = [_HEADER, "| id | family | scope | priority | title |", "|---|---|---|---|---|"]
    lines += [
        f"| [{c.id()}](#{c.id().lower()}) | {c.family} | {c.scope} | {c.severity} | {c.title()} |"
        for c in checks
    ]
    for c in checks:
        lines += [
            "",
            f"## {c.id()}",
            "",
            f"**{c.title()}**",
            "",
            f"- Family: {c.family}; scope: {c.scope}; priority: {c.severity}; effort: {c.effort}; "
            f"seed ticket: {c.ticket}",
            f"- Applies to: {c.applies.describe()}",
            f"- Kinds: {', '.join(f'`{k}`' for k in sorted(c.kinds)) or 'none (adoption)'}",
        ]
        if c.requires:
            lines.append(f"- Requires: {', '.join(sorted(c.requires))}")
        if c.files_expected:
            lines.append(f"- Files: {', '.join(f'`{f}`' for f in c.files_expected)}")
        if _description(c):
            lines += ["", _description(c)]
    return "\n".join(lines) + "\n"


def render_json(checks: list[type[Check]]) -> str:
    entries = [
        {
            "id": c.id(),
            "title": c.title(),
            "family": c.family,
            "scope": c.scope,
            "kinds": sorted(c.kinds),
            "severity": c.severity,
            "effort": c.effort,
            "ticket": c.ticket,
            "applies_to": c.applies.describe(),
            "requires": sorted(c.requires),
        }
        for c in checks
    ]
    return json.dumps(entries, indent=2, sort_keys=True) + "\n"


RENDERERS: dict[str, Callable[[list[type[Check]]], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
