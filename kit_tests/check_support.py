"""Helpers for the repository-check tests: a complete fixture repository and a one-check runner."""

from __future__ import annotations

from pathlib import Path

from govkit.audit import run_audit
from govkit.checks import Check, Status, run_checks
from govkit.repo import Repo

GOOD = Path(__file__).parent / "fixtures" / "docs" / "good"


def run(root: Path, check: type[Check]) -> tuple[Status, str]:
    """Run one check on ``root``: its status and its message (the fix, on failure)."""
    outcome = run_checks(Repo(root), [check])[0]
    return outcome.status, outcome.message


def audit_one(
    tmp_path: Path, check_id: str, files: dict[str, str]
) -> tuple[str, list[tuple[str | None, int | None]]]:
    """Write FILES (and a minimal pyproject.toml) under TMP_PATH, audit it with CHECK_ID alone:
    its status and the (path, line) of each finding."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    [result] = run_audit(Repo(tmp_path), select=[check_id]).results
    return result.status.value, [(f.path, f.line) for f in result.findings]
