"""Findings recorded when the kit is adopted: in the baseline, unaudited, and listed for review.

A repository that adopts the kit already has files, and some hold strings the scanner flags
(fixtures, example configs, now and then a real secret). ``govkit secrets adopt`` records them in
``.secrets.baseline`` and lists them in the YAML block that ends ``docs/secrets.md``::

    secrets_adoption:
      date: 2026-12-05
      pending_review:
        - {file: config/example.env, line: 3, type: Secret Keyword, hashed_secret: 1f2e...}

The gate lets an unaudited baseline entry through while this list names it (same file and hashed
secret), so the first day is green and only new findings fail; every other entry must be audited
as before. Reviewing means auditing each entry and deleting it from the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

RECORD = "docs/secrets.md"
KEY = "secrets_adoption"
_BLOCK = re.compile(rf"^```ya?ml[ \t]*\n(?P<body>{KEY}:.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


class AdoptionError(Exception):
    """The adoption record is missing or cannot be read; the message says how to fix it."""


@dataclass(frozen=True)
class Adoption:
    """The findings accepted at adoption, pending review: (file, hashed secret) pairs."""

    date: str | None
    pending: frozenset[tuple[str, str]]


NONE = Adoption(None, frozenset())


def read_adoption(text: str | None) -> Adoption:
    """The record in a docs/secrets.md text; nothing pending when there is no block."""
    match = _BLOCK.search(text or "")
    if match is None:
        return NONE
    try:
        data = yaml.safe_load(match.group("body"))
    except yaml.YAMLError as error:
        raise AdoptionError(f"{RECORD}: the `{KEY}:` block is not valid YAML: {error}") from None
    body = data.get(KEY) if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise AdoptionError(f"{RECORD}: `{KEY}:` must be a mapping with date and pending_review")
    items = body.get("pending_review") or []
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("file"), str) and i.get("hashed_secret")
        for i in items
    ):
        raise AdoptionError(
            f"{RECORD}: `{KEY}.pending_review` must be a list of {{file, hashed_secret, ...}}"
        )
    date = body.get("date")
    return Adoption(
        None if date is None else str(date),
        frozenset((i["file"], str(i["hashed_secret"])) for i in items),
    )


def adoption_of(root: Path) -> Adoption:
    """The adoption record of the repository at root."""
    try:
        text = (root / RECORD).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return NONE
    return read_adoption(text)


def with_record(text: str, date: str, baseline: dict[str, Any]) -> str:
    """TEXT (docs/secrets.md) with its block listing every baseline entry, pending review."""
    match = _BLOCK.search(text)
    if match is None:
        raise AdoptionError(
            f"{RECORD} has no ```yaml block starting with `{KEY}:` to record the findings in; "
            f"add one at its end:\n```yaml\n{KEY}:\n  date: null\n  pending_review: []\n```"
        )
    pending = [
        {
            "file": filename,
            "line": int(entry.get("line_number", 0)),
            "type": str(entry.get("type")),
            "hashed_secret": str(entry.get("hashed_secret")),
        }
        for filename, entries in sorted(baseline.get("results", {}).items())
        for entry in entries
    ]
    body = yaml.safe_dump(
        {KEY: {"date": date, "pending_review": pending}},
        sort_keys=False,
        default_flow_style=None,
        width=100,
    )
    return text[: match.start("body")] + body + text[match.end("body") :]
