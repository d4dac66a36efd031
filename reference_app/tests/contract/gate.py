"""The contract gate behind ``nox -s contracts``: the app's OpenAPI against the committed contract.

Run from ``reference_app/``: ``python -m tests.contract.gate [--update] [--contract FILE]``.

* Breaking changes (govkit's diff, oasdiff rule ids) fail, one line each naming rule and path.
* Any other difference in the canonical text (an added endpoint or optional field, a new
  description) also fails until the file is refreshed: the committed contract is always exactly
  what the app serves, so a reviewer sees every API change in the pull request's diff.
* ``--update`` writes the canonical text (sorted keys, 2-space indent) and succeeds; breaking
  changes it accepts are listed first, so the person updating sees what they are signing off.

A tool of the test suite, not of the service: it uses govkit, which the service never imports.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkit import contracts
from pricing_service.commands.openapi import contract_document
from pricing_service.core.settings import SettingsError
from pricing_service.settings import APP_ROOT, load_settings

CONTRACT = APP_ROOT / "contracts" / "openapi.json"
UPDATE_HINT = "run `nox -s contracts -- --update`"


@dataclass(frozen=True)
class Comparison:
    """The committed contract against the app's current document."""

    findings: list[contracts.Finding]
    up_to_date: bool  # the committed file is byte for byte the canonical text of the current one

    @property
    def breaking(self) -> list[contracts.Finding]:
        return [f for f in self.findings if f.breaking]


def compare(committed_text: str, current: Mapping[str, Any]) -> Comparison:
    """Diff the committed contract (its file text) with the current document.

    Raises ``contracts.SpecError`` when the committed text is not a readable OpenAPI document.
    """
    committed = _parse(committed_text)
    findings = contracts.diff(committed, current, labels=("committed contract", "app"))
    return Comparison(
        findings=contracts.sorted_findings(findings),
        up_to_date=committed_text == contracts.dumps_spec(current),
    )


def _parse(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise contracts.SpecError(
            f"committed contract: invalid JSON at line {error.lineno}: {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise contracts.SpecError("committed contract: an OpenAPI document must be an object")
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
            f"contract: the app's OpenAPI differs from {_shown(contract)} "
            f"({len(comparison.findings)} non-breaking change(s)): {UPDATE_HINT} "
            "and commit the file"
        )
        return 1, lines
    lines.append(f"contract: {_shown(contract)} matches the app")
    return 0, lines


def run(contract: Path, current: Mapping[str, Any], *, update: bool) -> tuple[int, list[str]]:
    """The whole gate on a contract file: (exit code, lines to print)."""
    try:
        committed_text = contract.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not update:
            return 1, [f"contract: {_shown(contract)} does not exist: {UPDATE_HINT}"]
        contracts.write_spec(current, contract)
        return 0, [f"contract: wrote {_shown(contract)}"]
    comparison = compare(committed_text, current)
    if not update:
        return report(comparison, contract)
    lines = [f.line() for f in comparison.findings]
    if contracts.write_spec(current, contract):
        accepted = len(comparison.breaking)
        lines.append(
            f"contract: updated {_shown(contract)} ({accepted} breaking change(s) accepted)"
        )
    else:
        lines.append(f"contract: {_shown(contract)} already matches the app")
    return 0, lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="contract-gate", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the committed contract")
    parser.add_argument("--contract", type=Path, default=CONTRACT, help="committed contract file")
    args = parser.parse_args(argv)
    try:
        current = contract_document(load_settings(_env_file=None, app_env="test"))
        code, lines = run(args.contract, current, update=args.update)
    except (contracts.SpecError, SettingsError) as error:
        sys.stderr.write(f"contract: {error}\n")
        return 2
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
