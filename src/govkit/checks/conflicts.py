"""Merge conflicts: no conflict markers or Copier ``.rej`` files in the repository's files.

``copier update`` exits 0 when it could not merge: ``--conflict inline`` writes Git-style markers
into the file, ``--conflict rej`` leaves the kit's hunk beside it as ``FILE.rej``. pre-commit's
``check-merge-conflict`` hook looks only while git itself is merging, so it sees neither. This
check does, wherever ``govkit check`` runs: the gate (``nox -s check``) and the pre-commit hook
``govkit check . --select MRG101``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from govkit.checks.base import EVERY_REPOSITORY, Check, register
from govkit.checks.secrets import PRE_COMMIT_CONFIG, hooks
from govkit.repo import Repo

# A marker is seven of the same character at the start of a line, then a space or the line's end.
# `=======` alone is also a Markdown heading underline: it counts only after an opening marker.
_MARKER = re.compile(rb"^(<{7}|\|{7}|={7}|>{7})(?: [^\r\n]*)?\r?$", re.MULTILINE)
# The hook the kit publishes for `repo:` + `rev:` use (.pre-commit-hooks.yaml).
PUBLISHED_HOOK = "govkit-conflict-markers"
HOOK_SNIPPET = f"""\
repos:
  - repo: https://HOST/OWNER/govkit   # the kit's address
    rev: RELEASE                       # the kit release your gate pins
    hooks:
      - id: {PUBLISHED_HOOK}"""
FIX = (
    "Keep the right text and delete the marker lines; apply each .rej hunk by hand (it is the "
    "kit's change) and delete the .rej file; then run the gate again."
)


class ConflictCheck(Check):
    """Unresolved merges in the repository's files."""

    ticket = "T15"
    applies = EVERY_REPOSITORY


@register
class MRG101(ConflictCheck):
    """No merge-conflict markers or Copier .rej files in tracked files"""

    scope = "health"
    kinds = frozenset()
    family = "ci"
    severity = "P0"

    def check(self, repo: Repo) -> str | None:
        found: list[str] = []
        for path in repo.files:
            if path.endswith(".rej"):
                found.append(f"  {path}: a hunk `copier update` could not apply")
                continue
            found.extend(f"  {path}:{line}: {marker}" for line, marker in _markers(repo, path))
        if not found:
            return None
        return "\n".join(["Unresolved merge conflicts:", *found, FIX])


def _markers(repo: Repo, path: str) -> list[tuple[int, str]]:
    """(line number, marker line) of every conflict marker in the file; none in binary files."""
    try:
        data = (repo.root / path).read_bytes()
    except OSError:
        return []
    if b"\0" in data[:8192]:
        return []
    found: list[tuple[int, str]] = []
    opened = False
    for match in _MARKER.finditer(data):
        opened = opened or match.group(1) == b"<<<<<<<"
        if match.group(1) == b"=======" and not opened:
            continue
        line = data.count(b"\n", 0, match.start()) + 1
        found.append((line, match.group(0).rstrip(b"\r").decode("utf-8", "replace")))
    return found


@register
class MRG102(ConflictCheck):
    """pre-commit refuses conflict markers and .rej files (govkit check --select MRG101)"""

    scope = "adoption"
    kinds = frozenset()
    family = "ci"
    severity = "P1"
    files_expected = (PRE_COMMIT_CONFIG,)

    def check(self, repo: Repo) -> str | None:
        try:
            config = repo.yaml(PRE_COMMIT_CONFIG)
        except yaml.YAMLError as error:
            return f"{PRE_COMMIT_CONFIG} is not valid YAML: {str(error).splitlines()[0]}"
        if any(_runs_mrg101(hook) for hook in hooks(config)):
            return None
        return (
            f"{PRE_COMMIT_CONFIG} does not run govkit's conflict check (pre-commit's "
            "check-merge-conflict looks only while git is merging, not after `copier update`). "
            f"Add:\n{HOOK_SNIPPET}"
        )


def _runs_mrg101(hook: dict[str, Any]) -> bool:
    if hook.get("id") == PUBLISHED_HOOK:
        return True
    words = [str(hook.get(key, "")) for key in ("id", "entry")]
    args = hook.get("args")
    words += [str(a) for a in args] if isinstance(args, list) else []
    return any(MRG101.id() in word for word in words)
