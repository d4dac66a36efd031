"""One finding per change, named with oasdiff's rule ids, and its text and JSON renderings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

# error: breaking (fails the gate); warning: may break some clients (reported, does not fail);
# info: compatible change (an addition, a widening).
Level = Literal["error", "warning", "info"]
_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=False)
class Finding:
    """A change between two contracts: its oasdiff rule id, level, operation and a sentence."""

    rule: str
    level: Level
    path: str  # the API path ("/api/products/{id}"), or "" for a document-wide change
    method: str  # upper-case HTTP method, or "" for a path- or document-wide change
    message: str

    @property
    def breaking(self) -> bool:
        return self.level == "error"

    def where(self) -> str:
        if not self.path:
            return "(document)"
        return f"{self.method} {self.path}" if self.method else self.path

    def line(self) -> str:
        """``error [rule-id] GET /api/products: message``"""
        return f"{self.level} [{self.rule}] {self.where()}: {self.message}"

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (_RANK[self.level], self.path, self.method, self.rule, self.message)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Breaking first, then by path, method, rule and message: a stable order for every output."""
    return sorted(set(findings), key=Finding.sort_key)


def has_breaking(findings: Iterable[Finding]) -> bool:
    return any(f.breaking for f in findings)


def render_text(findings: Iterable[Finding]) -> str:
    """One line per finding, then a one-line summary."""
    ordered = sorted_findings(findings)
    lines = [f.line() for f in ordered]
    breaking = sum(1 for f in ordered if f.breaking)
    lines.append(f"{breaking} breaking change(s), {len(ordered) - breaking} non-breaking change(s)")
    return "\n".join(lines) + "\n"


def render_json(findings: Iterable[Finding]) -> str:
    """``{"breaking": [...], "non_breaking": [...]}``, each item with rule, level, path, method,
    message; sorted keys, 2-space indent, trailing newline."""
    ordered = sorted_findings(findings)
    document = {
        "breaking": [asdict(f) for f in ordered if f.breaking],
        "non_breaking": [asdict(f) for f in ordered if not f.breaking],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
