"""Delivery governance (T15): the pull request template and the release checklist."""

from __future__ import annotations

import re

from govkit.checks import _markdown
from govkit.checks.base import EVERY_REPOSITORY, Check, register
from govkit.repo import Repo

PR_TEMPLATE = ".github/pull_request_template.md"
PR_TEMPLATE_LOCATIONS = (
    PR_TEMPLATE,
    ".github/PULL_REQUEST_TEMPLATE.md",
    "pull_request_template.md",
    "PULL_REQUEST_TEMPLATE.md",
    "docs/pull_request_template.md",
    "docs/PULL_REQUEST_TEMPLATE.md",
)
PR_SECTIONS = ("Scope", "Validation", "Risk", "Rollback", "Linked issue")
AI_DISCLOSURE = re.compile(r"^\s*[-*]\s+\[[ xX]\]\s+.*source:\s*ai-assisted", re.MULTILINE)

RELEASE_CHECKLIST = "policies/release-checklist.md"
RELEASE_SECTIONS = ("Migrations", "Rollback", "Monitoring")
CHECKBOX = re.compile(r"^\s*[-*]\s+\[[ xX]\]\s+\S", re.MULTILINE)


def _headings(names: tuple[str, ...]) -> str:
    return "\n".join(f"## {name}" for name in names)


class TemplateDocCheck(Check):
    """The kit's pull request template and release checklist: adoption."""

    family = "docs"
    severity = "P2"
    ticket = "T15"
    scope = "adoption"
    kinds = frozenset()
    applies = EVERY_REPOSITORY


@register
class PR101(TemplateDocCheck):
    """The pull request template asks for scope, validation, risk, rollback and the issue"""

    files_expected = (PR_TEMPLATE,)

    def check(self, repo: Repo) -> str | None:
        location = next((p for p in PR_TEMPLATE_LOCATIONS if repo.exists(p)), None)
        if location is None:
            return f"Create {PR_TEMPLATE} with these sections:\n{_headings(PR_SECTIONS)}"
        text = repo.text(location) or ""
        fixes: list[str] = []
        absent = _markdown.missing(text, PR_SECTIONS)
        if absent:
            fixes.append(f"Add to {location}:\n{_headings(tuple(absent))}")
        scope = _markdown.find(_markdown.sections(text), "Scope")
        if scope is not None and "not changed" not in scope.body.lower():
            fixes.append(
                f"Under Scope in {location}, ask what was intentionally not changed: "
                "`- Intentionally not changed:`"
            )
        if not AI_DISCLOSURE.search(text):
            fixes.append(
                f"Add the disclosure checkbox to {location}: "
                "`- [ ] source: ai-assisted (an AI tool wrote part of this change)`"
            )
        return "\n".join(fixes) or None


@register
class REL101(TemplateDocCheck):
    """The release checklist covers migrations, rollback and monitoring with checkable items"""

    files_expected = (RELEASE_CHECKLIST,)

    def check(self, repo: Repo) -> str | None:
        text = repo.text(RELEASE_CHECKLIST)
        if text is None:
            return (
                f"Create {RELEASE_CHECKLIST} with a `- [ ]` item list under each of:\n"
                f"{_headings(RELEASE_SECTIONS)}"
            )
        found = _markdown.sections(text)
        fixes: list[str] = []
        for name in RELEASE_SECTIONS:
            section = _markdown.find(found, name)
            if section is None:
                fixes.append(f"Add `## {name}` with `- [ ]` items to {RELEASE_CHECKLIST}.")
            elif not CHECKBOX.search(section.body):
                fixes.append(
                    f"Give `## {section.title}` in {RELEASE_CHECKLIST} at least one "
                    "`- [ ] ...` item to tick before a release."
                )
        return "\n".join(fixes) or None
