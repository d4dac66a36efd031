"""Architecture decision records (T20): docs/adr/NNNN-kebab-title.md, numbered, indexed, linked.

An ADR starts with ``# NNNN. Title`` and a list of ``- Status:``, ``- Date:``, ``- Deciders:``
(and, when it replaces another, ``- Supersedes: [NNNN](NNNN-x.md)``); the replaced one says
``- Status: superseded by [NNNN](NNNN-y.md)``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from govkit.checks import _markdown
from govkit.checks.base import EVERY_REPOSITORY, Check, register
from govkit.repo import Repo

ADR_DIR = "docs/adr"
TEMPLATE = "0000-template.md"
INDEX = "README.md"
SECTIONS = ("Context", "Options considered", "Decision", "Consequences")
FILE_NAME = re.compile(r"^(?P<number>\d{4})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_LINK = r"\[(?P<text>\d{4})\]\((?P<target>\d{4}-[a-z0-9-]+\.md)\)"
STATUS = re.compile(rf"^(?:proposed|accepted|deprecated|superseded by {_LINK})$", re.IGNORECASE)
_META = re.compile(r"^[-*]\s+(?P<key>[A-Za-z ]+):\s*(?P<value>.*?)\s*$")
_TITLE = re.compile(r"^#\s+(?P<number>\d{4})\.\s+(?P<title>\S.*)$")


@dataclass
class Adr:
    path: str  # relative to the repository root
    number: int
    title_line: str
    meta: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def superseded_by(self) -> str | None:
        match = STATUS.match(self.meta.get("status", ""))
        return match["target"] if match and match["target"] else None

    @property
    def supersedes(self) -> list[str]:
        return re.findall(r"\((\d{4}-[a-z0-9-]+\.md)\)", self.meta.get("supersedes", ""))


def parse(path: str, text: str) -> Adr:
    match = FILE_NAME.match(PurePosixPath(path).name)
    number = int(match["number"]) if match else -1
    lines = text.splitlines()
    adr = Adr(path, number, lines[0] if lines else "", text=text)
    for line in lines[1:]:
        if line.startswith("#"):
            break
        meta = _META.match(line.strip())
        if meta:
            adr.meta[meta["key"].strip().lower()] = meta["value"]
    return adr


def adr_files(repo: Repo, folder: str = ADR_DIR) -> tuple[list[str], list[str]]:
    """The numbered ADR files (template excluded), and the Markdown files misnamed."""
    numbered: list[str] = []
    misnamed: list[str] = []
    for path in repo.files:
        if not path.startswith(f"{folder}/"):
            continue
        parent, name = str(PurePosixPath(path).parent), PurePosixPath(path).name
        if parent != folder or not name.endswith(".md") or name in {TEMPLATE, INDEX}:
            continue
        (numbered if FILE_NAME.match(name) else misnamed).append(path)
    return sorted(numbered), misnamed


def adrs(repo: Repo) -> list[Adr]:
    return [parse(p, repo.text(p) or "") for p in adr_files(repo)[0]]


class AdrCheck(Check):
    """Architecture decision records, the kit's convention: adoption."""

    family = "docs"
    ticket = "T20"
    scope = "adoption"
    kinds = frozenset()
    applies = EVERY_REPOSITORY


@register
class ADR101(AdrCheck):
    """ADRs are numbered from 0001 without gaps or duplicates"""

    severity = "P1"
    files_expected = (f"{ADR_DIR}/{TEMPLATE}", f"{ADR_DIR}/0001-*.md")

    def check(self, repo: Repo) -> str | None:
        numbered, misnamed = adr_files(repo)
        fixes = [
            f"Rename {p} to {ADR_DIR}/NNNN-kebab-title.md (four digits, lower-case words)."
            for p in misnamed
        ]
        if not numbered:
            return "\n".join(
                [
                    *fixes,
                    f'Record the first decision: `govkit adr new "Title"` '
                    f"writes {ADR_DIR}/0001-title.md from {ADR_DIR}/{TEMPLATE}.",
                ]
            )
        by_number: dict[int, list[str]] = {}
        for path in numbered:
            by_number.setdefault(parse(path, "").number, []).append(PurePosixPath(path).name)
        fixes.extend(
            f"{', '.join(names)} share number {n:04d}: renumber all but the first "
            "to the next free number, and fix the index."
            for n, names in sorted(by_number.items())
            if len(names) > 1
        )
        present = sorted(by_number)
        wanted = list(range(1, len(present) + 1))
        if present != wanted:
            renames = [
                f"{by_number[have][0]} -> {want:04d}-{by_number[have][0][5:]}"
                for have, want in zip(present, wanted, strict=True)
                if have != want
            ]
            gaps = sorted(set(range(1, present[-1] + 1)) - set(present))
            fixes.append(
                f"ADR numbers must run 0001, 0002, ... without gaps; missing: "
                f"{', '.join(f'{g:04d}' for g in gaps)}. Write the missing ADRs, or "
                f"rename (and update their headings and {ADR_DIR}/{INDEX}): " + "; ".join(renames)
            )
        return "\n".join(fixes) or None


@register
class ADR102(AdrCheck):
    """Every ADR has its number and title, a valid status, a date, deciders and the sections"""

    severity = "P1"
    requires = frozenset({"ADR101"})

    def check(self, repo: Repo) -> str | None:
        fixes: list[str] = []
        template = repo.text(f"{ADR_DIR}/{TEMPLATE}")
        if template is None:
            fixes.append(f"Create {ADR_DIR}/{TEMPLATE}: `govkit adr new` copies it.")
        else:
            absent = _markdown.missing(template, SECTIONS)
            if absent:
                fixes.append(
                    f"Add to {ADR_DIR}/{TEMPLATE}: " + ", ".join(f"`## {s}`" for s in absent)
                )
        for adr in adrs(repo):
            fixes.extend(f"{adr.path}: {fix}" for fix in _adr_problems(adr))
        return "\n".join(fixes) or None


def _adr_problems(adr: Adr) -> list[str]:
    found: list[str] = []
    title = _TITLE.match(adr.title_line)
    if not title or int(title["number"]) != adr.number:
        found.append(f"start with the heading `# {adr.number:04d}. Title`")
    if not STATUS.match(adr.meta.get("status", "")):
        found.append(
            "set `- Status: proposed` (or accepted, deprecated, "
            "superseded by [NNNN](NNNN-title.md))"
        )
    try:
        dt.date.fromisoformat(adr.meta.get("date", ""))
    except ValueError:
        found.append("set `- Date: YYYY-MM-DD` (the day of the decision)")
    if not adr.meta.get("deciders", "").strip():
        found.append("set `- Deciders: @org/team` (who made the decision)")
    absent = _markdown.missing(adr.text, SECTIONS)
    if absent:
        found.append("add the sections " + ", ".join(f"`## {s}`" for s in absent))
    return found


@register
class ADR103(AdrCheck):
    """Superseded and superseding ADRs link to each other"""

    severity = "P2"
    requires = frozenset({"ADR101"})

    def check(self, repo: Repo) -> str | None:
        by_name = {adr.name: adr for adr in adrs(repo)}
        fixes: list[str] = []
        for adr in by_name.values():
            newer = adr.superseded_by
            if newer is not None:
                if newer not in by_name:
                    fixes.append(f"{adr.path}: superseded by {newer}, which does not exist.")
                elif adr.name not in by_name[newer].supersedes:
                    fixes.append(
                        f"{by_name[newer].path}: add `- Supersedes: [{adr.name[:4]}]({adr.name})`."
                    )
            for older in adr.supersedes:
                if older not in by_name:
                    fixes.append(f"{adr.path}: supersedes {older}, which does not exist.")
                elif by_name[older].superseded_by != adr.name:
                    fixes.append(
                        f"{by_name[older].path}: set "
                        f"`- Status: superseded by [{adr.name[:4]}]({adr.name})`."
                    )
        return "\n".join(fixes) or None


@register
class ADR104(AdrCheck):
    """The ADR index lists every ADR and nothing else"""

    severity = "P2"
    requires = frozenset({"ADR101"})
    files_expected = (f"{ADR_DIR}/{INDEX}",)

    def check(self, repo: Repo) -> str | None:
        index_path = f"{ADR_DIR}/{INDEX}"
        index = repo.text(index_path)
        found = adrs(repo)
        lines = [index_line(a.name, _TITLE.sub(r"\g<title>", a.title_line)) for a in found]
        if index is None:
            return f"Create {index_path} listing every ADR:\n" + "\n".join(lines)
        linked = set(re.findall(r"\]\((?:\./)?(\d{4}-[a-z0-9-]+\.md)\)", index))
        names = {a.name for a in found}
        fixes = [
            f"Add to {index_path}: {line}"
            for adr, line in zip(found, lines, strict=True)
            if adr.name not in linked
        ]
        fixes.extend(
            f"{index_path} links {name}, which does not exist: fix or remove the line."
            for name in sorted(linked - names - {TEMPLATE})
        )
        return "\n".join(fixes) or None


def index_line(name: str, title: str) -> str:
    """The index entry of one ADR."""
    return f"- [{name[:4]}. {title}]({name})"


@register
class ADR105(AdrCheck):
    """The root README links the ADR index"""

    severity = "P2"
    files_expected = ("README.md",)

    def check(self, repo: Repo) -> str | None:
        text = repo.text("README.md")
        if text is None or not re.search(rf"\]\((?:\./)?{ADR_DIR}/(?:{INDEX})?\)", text):
            return (
                f"Link the decisions from README.md: "
                f"`- [Architecture decision records]({ADR_DIR}/{INDEX})`"
            )
        return None
