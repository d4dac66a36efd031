"""The PR output contract, checked on a real pull request.

The contract is the repository's own pull request template: each of its ``##`` sections must be
present and filled in (a line the template does not already have; ticking a box or writing "n/a"
alone does not fill a section), exactly one ticket linked with a closing keyword, the
``source: ai-assisted`` box ticked exactly when the ``source:ai-assisted`` label is set, every
label defined in ``.github/labels.yml``, and, when the template offers a ``Risk level:`` list,
one level from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govkit.checks import _markdown

AI_LABEL = "source:ai-assisted"
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CHECKBOX = re.compile(r"^[-*+]\s+\[([ xX])\]\s+")
_AI_BOX = re.compile(r"^[-*+]\s+\[([ xX])\]\s+.*source:\s*ai-assisted", re.I | re.M)
_RISK = re.compile(r"^\W*risk level\s*:\s*(?P<value>.*?)\s*$", re.I | re.M)
_CHOICE_SPLIT = re.compile(r"\s*(?:\||/|,)\s*")
_LIST_MARK = re.compile(r"^[-*+]\s+")
# GitHub links an issue when a closing keyword precedes the reference (its "Development" box).
_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+"
    r"(?:(?P<repo>[\w.-]+/[\w.-]+)?#(?P<number>\d+)"
    r"|https://github\.com/(?P<url_repo>[\w.-]+/[\w.-]+)/issues/(?P<url_number>\d+))",
    re.I,
)
_EMPTY_VALUES = frozenset({"", "n/a", "na", "none", "-", "--", "tbd", "todo", "...", "…"})


def _lines(text: str) -> list[str]:
    """Non-blank lines, whitespace collapsed, HTML comments removed."""
    return [" ".join(line.split()) for line in _COMMENT.sub("", text).splitlines() if line.strip()]


def _unticked(line: str) -> str:
    return _CHECKBOX.sub(lambda m: m.group(0).replace(m.group(1), " "), line, count=1)


@dataclass(frozen=True)
class Section:
    """One ``##`` section of the template: its title and the lines it already holds."""

    title: str
    lines: tuple[str, ...]

    @property
    def boxes_only(self) -> bool:
        """A section of tick-boxes alone (a disclosure) is answered by ticking, not by text."""
        return bool(self.lines) and all(_CHECKBOX.match(line) for line in self.lines)


@dataclass(frozen=True)
class Contract:
    """What the repository's PR template asks of every pull request."""

    sections: tuple[Section, ...]
    risk_levels: tuple[str, ...]
    ai_box: bool
    labels: frozenset[str]  # lower case: GitHub label names ignore case

    @classmethod
    def from_template(cls, template: str, labels: Iterable[str]) -> Contract:
        found = [s for s in _markdown.sections(template) if s.level == 2]
        sections = tuple(Section(s.title, tuple(_lines(s.body))) for s in found)
        risk = _RISK.search(_COMMENT.sub("", template))
        levels = tuple(v for v in _CHOICE_SPLIT.split(risk["value"]) if v) if risk else ()
        return cls(
            sections=sections,
            risk_levels=levels if len(levels) > 1 else (),
            ai_box=bool(_AI_BOX.search(template)),
            labels=frozenset(label.lower() for label in labels),
        )


@dataclass(frozen=True)
class PullRequest:
    body: str
    labels: tuple[str, ...]
    repository: str | None = None  # owner/name, to tell `#12` from `other/repo#12`
    number: int | None = None

    @classmethod
    def from_event(cls, event: Any) -> PullRequest:
        """The pull request of a GitHub ``pull_request`` event payload; ValueError otherwise."""
        pull = event.get("pull_request") if isinstance(event, dict) else None
        if not isinstance(pull, dict):
            raise ValueError("the event has no `pull_request` (is this a pull_request event?)")
        labels = pull.get("labels") or []
        if not isinstance(labels, list):
            raise ValueError("`pull_request.labels` is not a list")
        repository = event.get("repository")
        full_name = repository.get("full_name") if isinstance(repository, dict) else None
        number = pull.get("number")
        return cls(
            body=str(pull.get("body") or ""),  # GitHub sends null for an empty description
            labels=tuple(str(label.get("name")) for label in labels if isinstance(label, dict)),
            repository=full_name if isinstance(full_name, str) else None,
            number=number if isinstance(number, int) else None,
        )


def _has_content(section: Section, body: str, risk_line: bool) -> bool:
    template = set(section.lines)
    prefixes = [line for line in section.lines if line.endswith(":")]
    for line in _lines(body):
        if _unticked(line) in template or (risk_line and _RISK.match(line)):
            continue
        if _CHECKBOX.match(line):
            continue  # ticking a box answers a question the section asks; it is not the text
        value = next((line[len(p) :] for p in prefixes if line.startswith(p)), line)
        if _LIST_MARK.sub("", value).strip().strip(".").lower() not in _EMPTY_VALUES:
            return True
    return False


def linked_tickets(body: str, repository: str | None) -> list[str]:
    """The distinct tickets a closing keyword links, as ``owner/name#N`` (or ``#N``)."""
    found: list[str] = []
    for match in _CLOSING.finditer(_COMMENT.sub("", body)):
        repo = match["repo"] or match["url_repo"] or repository
        number = match["number"] or match["url_number"]
        ref = f"{repo}#{number}" if repo else f"#{number}"
        if ref.lower() not in (f.lower() for f in found):
            found.append(ref)
    return found


def problems(contract: Contract, pull: PullRequest) -> list[str]:
    """One line per way the pull request breaks the contract; empty when it keeps it."""
    found: list[str] = []
    present = _markdown.sections(pull.body)
    for section in contract.sections:
        match = _markdown.find(present, section.title)
        if match is None:
            found.append(f"section `## {section.title}` is missing: keep the template's sections")
        elif not section.boxes_only and not _has_content(
            section, match.body, bool(contract.risk_levels)
        ):
            found.append(
                f'section `## {section.title}` is empty: fill it in ("n/a" needs a reason)'
            )
    tickets = linked_tickets(pull.body, pull.repository)
    if not tickets:
        found.append("no linked ticket: write `Closes #123` (one ticket per pull request)")
    elif len(tickets) > 1:
        found.append(
            f"{len(tickets)} linked tickets ({', '.join(tickets)}): link exactly one with a "
            "closing keyword, mention the others with `Refs #N`"
        )
    found.extend(_disclosure_problems(contract, pull))
    found.extend(
        f"label `{label}` is not defined in .github/labels.yml: remove it, or add it there first"
        for label in pull.labels
        if label.lower() not in contract.labels
    )
    found.extend(_risk_problems(contract, pull.body))
    return found


def _disclosure_problems(contract: Contract, pull: PullRequest) -> list[str]:
    labelled = AI_LABEL in {label.lower() for label in pull.labels}
    box = _AI_BOX.search(_COMMENT.sub("", pull.body))
    if box is None:
        if contract.ai_box:
            return [
                "the `source: ai-assisted` box was removed: put back the template's "
                "`- [ ] source: ai-assisted ...` line and tick it when an AI tool wrote part of "
                "the change"
            ]
        return []
    ticked = box.group(1) in "xX"
    if ticked and not labelled:
        return [f"the `source: ai-assisted` box is ticked but the label `{AI_LABEL}` is missing"]
    if labelled and not ticked:
        return [f"the label `{AI_LABEL}` is set but the `source: ai-assisted` box is not ticked"]
    return []


def _risk_problems(contract: Contract, body: str) -> list[str]:
    if not contract.risk_levels:
        return []
    choices = ", ".join(contract.risk_levels)
    stated = _RISK.search(_COMMENT.sub("", body))
    if stated is None:
        return [f"no risk level: add `Risk level: {contract.risk_levels[0]}` (one of {choices})"]
    value = stated["value"].strip("*_` ").lower()
    levels = [level.lower() for level in contract.risk_levels]
    if value in levels:
        return []
    if len([v for v in _CHOICE_SPLIT.split(value) if v]) > 1:
        return [f"risk level still lists every choice: keep one of {choices}"]
    return [f"risk level `{stated['value']}` is not one of {choices}"]


def template_labels(data: Any) -> Sequence[str]:
    """The label names of a parsed labels.yml (invalid entries are LBL101's business)."""
    labels = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(labels, list):
        return []
    return [str(item["name"]) for item in labels if isinstance(item, dict) and item.get("name")]
