"""The contract gate: a service's exported OpenAPI against its committed contract file.

``govkit contracts check CONTRACT EXPORTED [--update]`` (``nox -s contracts`` in the kit and in
every stamped service). The service exports its own document (``pricing-service openapi -o F``),
so it never imports govkit.

* Breaking changes (the contract diff, oasdiff rule ids) fail, one line each naming rule and path.
* Any other difference in the canonical text (an added endpoint or optional field, a new
  description) also fails until the file is refreshed: the committed contract is always exactly
  what the service serves, so a reviewer sees every API change in the pull request's diff.
* ``--update`` writes the canonical text (sorted keys, 2-space indent) and succeeds; breaking
  changes it accepts are listed first, so the person updating sees what they are signing off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkit.contracts.diff import diff
from govkit.contracts.files import dumps_spec, write_spec
from govkit.contracts.findings import Finding, sorted_findings
from govkit.contracts.spec import SpecError

UPDATE_HINT = "run `nox -s contracts -- --update`"


@dataclass(frozen=True)
class Comparison:
    """The committed contract against the service's current document."""

    findings: list[Finding]
    up_to_date: bool  # the committed file is byte for byte the canonical text of the current one

    @property
    def breaking(self) -> list[Finding]:
        return [f for f in self.findings if f.breaking]


def compare(committed_text: str, current: Mapping[str, Any]) -> Comparison:
    """Diff the committed contract (its file text) with the current document.

    Raises ``SpecError`` when the committed text is not a readable OpenAPI document.
    """
    committed = _parse(committed_text)
    findings = diff(committed, current, labels=("committed contract", "service"))
    return Comparison(
        findings=sorted_findings(findings), up_to_date=committed_text == dumps_spec(current)
    )


def _parse(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(
            f"committed contract: invalid JSON at line {error.lineno}: {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise SpecError("committed contract: an OpenAPI document must be an object")
    return document


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is below it (shorter lines)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def report(comparison: Comparison, contract: Path) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a comparison (without ``--update``)."""
    lines = [f.line() for f in comparison.findings]
    if comparison.breaking:
        lines.append(
            f"contract: {len(comparison.breaking)} breaking change(s) against {_shown(contract)}: "
            f"restore the API, or when the break is intended and announced, {UPDATE_HINT}"
        )
        return 1, lines
    if not comparison.up_to_date:
        lines.append(
            f"contract: the service's OpenAPI differs from {_shown(contract)} "
            f"({len(comparison.findings)} non-breaking change(s)): {UPDATE_HINT} "
            "and commit the file"
        )
        return 1, lines
    lines.append(f"contract: {_shown(contract)} matches the service")
    return 0, lines


def run(contract: Path, current: Mapping[str, Any], *, update: bool) -> tuple[int, list[str]]:
    """The whole gate on a contract file: (exit code, lines to print)."""
    try:
        committed_text = contract.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not update:
            return 1, [f"contract: {_shown(contract)} does not exist: {UPDATE_HINT}"]
        write_spec(current, contract)
        return 0, [f"contract: wrote {_shown(contract)}"]
    comparison = compare(committed_text, current)
    if not update:
        return report(comparison, contract)
    lines = [f.line() for f in comparison.findings]
    if write_spec(current, contract):
        accepted = len(comparison.breaking)
        lines.append(
            f"contract: updated {_shown(contract)} ({accepted} breaking change(s) accepted)"
        )
    else:
        lines.append(f"contract: {_shown(contract)} already matches the service")
    return 0, lines
