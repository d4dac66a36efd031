"""Just enough Markdown for the docs checks: headings with their bodies, and fenced code blocks.

Headings inside fenced code blocks (a ``# comment`` in a shell snippet) are not headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    body: str  # the text up to the next heading of the same or a higher level


def _classify(text: str) -> list[tuple[str, str]]:
    """Each line with its kind: "md", "open" (a fence), "code" (inside) or "close"."""
    out: list[tuple[str, str]] = []
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                out.append((line, "open"))
            else:
                out.append((line, "md"))
        elif match and match.group(1).startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
            out.append((line, "close"))
        else:
            out.append((line, "code"))
    return out


def sections(text: str) -> list[Section]:
    """Every heading of the document, in order, with the body it governs."""
    lines = _classify(text)
    heads: list[tuple[int, int, str]] = []
    for index, (line, kind) in enumerate(lines):
        match = _HEADING.match(line) if kind == "md" else None
        if match:
            heads.append((index, len(match.group(1)), match.group(2)))
    found: list[Section] = []
    for position, (index, level, title) in enumerate(heads):
        end = next((i for i, lvl, _ in heads[position + 1 :] if lvl <= level), len(lines))
        body = "\n".join(line for line, _ in lines[index + 1 : end]).strip()
        found.append(Section(level, title, body))
    return found


def normalize(title: str) -> str:
    """Lower case, punctuation as spaces: "First 15 minutes!" -> "first 15 minutes"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", title.lower()).split())


def find(found: list[Section], name: str) -> Section | None:
    """The first section whose heading starts with ``name``, compared case-insensitively."""
    wanted = normalize(name)
    return next((s for s in found if normalize(s.title).startswith(wanted)), None)


def missing(text: str, names: tuple[str, ...]) -> list[str]:
    """The required section names that have no heading in ``text``."""
    found = sections(text)
    return [name for name in names if find(found, name) is None]


def code_blocks(text: str) -> list[str]:
    """The contents of every fenced code block."""
    blocks: list[str] = []
    current: list[str] = []
    for line, kind in _classify(text):
        if kind == "open":
            current = []
        elif kind == "code":
            current.append(line)
        elif kind == "close":
            blocks.append("\n".join(current))
    return blocks
