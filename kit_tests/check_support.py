"""Helpers for the repository-check tests: a complete fixture repository and a one-check runner."""

from __future__ import annotations

from pathlib import Path

from govkit.checks import Check, Status, run_checks
from govkit.repo import Repo

GOOD = Path(__file__).parent / "fixtures" / "docs" / "good"


def run(root: Path, check: type[Check]) -> tuple[Status, str]:
    """Run one check on ``root``: its status and its message (the fix, on failure)."""
    outcome = run_checks(Repo(root), [check])[0]
    return outcome.status, outcome.message
