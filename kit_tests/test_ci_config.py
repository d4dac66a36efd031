"""CI101: a CI configuration for a service that no longer runs is reported at the file."""

from __future__ import annotations

from pathlib import Path

from govkit.audit import run_audit
from govkit.repo import Repo


def test_a_circleci_1_config_is_dead(tmp_path: Path) -> None:
    (tmp_path / "circle.yml").write_text("test:\n  override:\n    - make test\n")
    [result] = run_audit(Repo(tmp_path), select=["CI101"]).results
    assert result.status.value == "fail"
    [finding] = result.findings
    assert (finding.path, finding.line) == ("circle.yml", 1)
    assert "CircleCI 1.0" in finding.message


def test_a_current_circleci_config_passes(tmp_path: Path) -> None:
    (tmp_path / ".circleci").mkdir()
    (tmp_path / ".circleci/config.yml").write_text("version: 2.1\njobs: {}\n")
    [result] = run_audit(Repo(tmp_path), select=["CI101"]).results
    assert result.status.value == "pass"
