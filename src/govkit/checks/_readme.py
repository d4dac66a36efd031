"""READMEs in any format GitHub renders (Markdown, reStructuredText, AsciiDoc, plain text), and the
commands they show: code blocks, RST literal blocks (``::``) and directives, shell prompts and
inline code.
"""

from __future__ import annotations

import bisect
import re
from pathlib import PurePosixPath

from govkit.repo import Repo

# In GitHub's order of preference when a folder holds several.
README_SUFFIXES = ("md", "markdown", "rst", "adoc", "asciidoc", "txt", "")

# What a command does: set the project up, run it, test it. Package managers and task runners
# of every ecosystem the kit meets (uv, poetry, pdm, hatch, pip; npm, pnpm, yarn, bun; docker
# compose; make, just, nox, tox).
NEEDS: dict[str, re.Pattern[str]] = {
    "setup": re.compile(
        r"\b(?:pip3? install|python3? -m pip install|pipx install|uv (?:sync|pip install|add|tool "
        r"install)|poetry (?:install|add)|pdm (?:install|sync|add)|hatch env create|conda "
        r"(?:install|env create)|npm (?:ci|install|i)\b|pnpm (?:install|i)\b|yarn(?: install)?\b|"
        r"bun (?:install|i)\b|docker[ -]compose (?:build|pull|up)|docker build|"
        r"make (?:setup|install|init|deps|dev)|just (?:setup|install)|git clone|cargo build|"
        r"go (?:get|install))",
        re.I,
    ),
    "run": re.compile(
        r"\b(?:serve|uvicorn|gunicorn|hypercorn|runserver|flask run|fastapi (?:dev|run)|"
        r"(?:npm|pnpm|yarn|bun) (?:run )?(?:dev|start|serve)\b|docker[ -]compose up|docker run|"
        r"(?:uv|poetry|pdm|hatch|pipenv) run \S+|make (?:run|up|serve|start)|python3? -m [\w.]+|"
        r"python3? \S+\.py|cargo run|go run)",
        re.I,
    ),
    "test": re.compile(
        r"\b(?:pytest|nox|tox|unittest|(?:npm|pnpm|yarn|bun) (?:run )?test|make (?:test|check)|"
        r"vitest|jest|go test|cargo test|hatch (?:test|run test)|pdm (?:run )?test|just test)\b",
        re.I,
    ),
}

_MD_FENCE = re.compile(r"^\s{0,3}(```+|~~~+)[^\n]*\n(.*?)^\s{0,3}\1\s*$", re.M | re.S)
_INLINE = re.compile(r"``([^`\n]+)``|`([^`\n]+)`|\+([^+\n]+)\+")
_PROMPT = re.compile(r"^\s*(?:\$|>>>|PS>|>)\s+(.+)$", re.M)
_ADOC_BLOCK = re.compile(r"^(----+|\.\.\.\.+)\s*\n(.*?)^\1\s*$", re.M | re.S)
_LINK = re.compile(
    r"\]\(([^)\s#]+)[^)]*\)"  # Markdown [text](path)
    r"|`[^`<]*<([^>`\s#]+)[^>`]*>`_"  # RST `text <path>`_
    r"|\.\. (?:include|literalinclude)::\s*(\S+)"  # RST include
    r"|(?:link|xref|include)::?([^\[\s#]+)\["  # AsciiDoc link:path[...]
)


def find_readme(repo: Repo, folder: str = "") -> str | None:
    """The README of FOLDER ('' for the root) in any format, or None."""
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    names = {
        PurePosixPath(f).name.lower(): f
        for f in repo.files
        if f.startswith(prefix) and "/" not in f[len(prefix) :]
    }
    for suffix in README_SUFFIXES:
        found = names.get(f"readme.{suffix}" if suffix else "readme")
        if found is not None:
            return found
    return None


def code_text(path: str, text: str) -> str:
    """The code a document shows, one snippet per line group, in the document's own syntax."""
    return "\n".join(line for _, line in code_lines(path, text))


def code_lines(path: str, text: str) -> list[tuple[int, str]]:
    """Each line of code a document shows, with its 1-based line number in the document: code
    blocks (fenced, RST literal, AsciiDoc, indented in plain text), prompts and inline code."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def lines_at(offset: int, body: str) -> list[tuple[int, str]]:
        first = bisect.bisect_right(starts, offset)
        return [(first + i, line) for i, line in enumerate(body.split("\n"))]

    suffix = PurePosixPath(path).suffix.lower()
    found: list[tuple[int, str]] = []
    for m in _MD_FENCE.finditer(text):
        found += lines_at(m.start(2), m.group(2))
    if suffix == ".rst":
        found += [pair for block in _rst_literal_blocks(text) for pair in block]
    if suffix in {".adoc", ".asciidoc"}:
        for m in _ADOC_BLOCK.finditer(text):
            found += lines_at(m.start(2), m.group(2))
    if suffix in {".txt", ""}:
        for m in _INDENTED.finditer(text):
            found += lines_at(m.start(), m.group())
    for m in _PROMPT.finditer(text):
        found += lines_at(m.start(1), m.group(1))
    for m in _INLINE.finditer(text):
        group = m.lastindex or 1
        found += lines_at(m.start(group), m.group(group))
    return found


# `.. code:: bash`, `.. code-block:: console`, `.. sourcecode:: shell`: a language after the `::`.
_RST_CODE = re.compile(r"^\s*\.\.\s+(?:code|code-block|sourcecode)::")
_INDENTED = re.compile(r"(?:^(?: {4}|\t).+\n?)+", re.M)


def _rst_literal_blocks(text: str) -> list[list[tuple[int, str]]]:
    """RST literal blocks (after a paragraph ending in `::` or a code directive): each body's
    lines, stripped, with their line numbers (a directive's `:option:` lines left out)."""
    blocks: list[list[tuple[int, str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if _RST_CODE.match(line) or (
            line.endswith("::") and not line.lstrip().startswith((".. image", ".. figure"))
        ):
            indent = len(lines[i]) - len(lines[i].lstrip())
            body: list[tuple[int, str]] = []
            j = i + 1
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
            ):
                body.append((j + 1, lines[j].strip()))
                j += 1
            if any(b for _, b in body):
                blocks.append([(n, b) for n, b in body if not b.startswith(":")])
            i = j
            continue
        i += 1
    return blocks


def gaps(path: str, text: str) -> list[str]:
    """What the document gives no command for: "setup", "run" and/or "test"."""
    code = code_text(path, text)
    return [need for need, pattern in NEEDS.items() if not pattern.search(code)]


def linked_documents(repo: Repo, path: str, text: str) -> list[str]:
    """The repository's files a document links to (relative links), in order, once each."""
    folder = PurePosixPath(path).parent
    found: list[str] = []
    for groups in _LINK.findall(text):
        target = next((g for g in groups if g), "")
        if not target or "://" in target or target.startswith(("mailto:", "#")):
            continue
        resolved = (
            _normalize(folder / target.lstrip("/"))
            if not target.startswith("/")
            else (target.lstrip("/"))
        )
        if repo.exists(resolved) and resolved not in found:
            found.append(resolved)
    return found


def _normalize(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
