"""Placeholder content fails the check it stands in for, at its file and line (issue 20); the
template itself and a filled-in repository pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from govkit.checks.placeholders import (
    EXAMPLE_ORGS,
    codeowners_placeholders,
    pr_template_placeholders,
    runbook_placeholders,
    secret_default_placeholders,
)
from govkit.cli import main
from govkit.repo import Repo

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "audit"


def at(findings: list) -> list[tuple[str | None, int | None]]:  # type: ignore[type-arg]
    return [(f.path, f.line) for f in findings]


def test_runbook_markers_are_reported_per_line_but_quoted_mentions_are_not() -> None:
    found = runbook_placeholders(Repo(FIXTURES / "placeholders"))
    # line 3 quotes "TODO(team)" (a mention); the index README is not a runbook
    assert at(found) == [("runbooks/api-down.md", 7), ("runbooks/api-down.md", 12)]
    assert "`TODO(team)`" in found[0].message


def test_example_owners_fail_when_the_repository_shows_its_real_owner() -> None:
    found = codeowners_placeholders(Repo(FIXTURES / "placeholders"))
    assert at(found) == [("CODEOWNERS", 1), ("CODEOWNERS", 3)]
    assert "CODEOWNERS also names @shopco/backend" in found[0].message
    assert "@acme/platform" in found[1].message


def test_the_template_itself_may_name_its_example_organisation() -> None:
    repo = Repo(FIXTURES / "placeholders_kit")
    assert codeowners_placeholders(repo) == []
    assert runbook_placeholders(repo) == []


def test_a_stamp_that_kept_the_example_owner_is_reported(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "placeholders_kit" / "CODEOWNERS", tmp_path / "CODEOWNERS")
    assert at(codeowners_placeholders(Repo(tmp_path))) == [("CODEOWNERS", 1), ("CODEOWNERS", 2)]
    (tmp_path / ".copier-answers.yml").write_text("github_owner: shopco\n")
    assert "github_owner: shopco" in codeowners_placeholders(Repo(tmp_path))[0].message


def test_pr_template_todos_are_reported_but_comment_prompts_are_not() -> None:
    found = pr_template_placeholders(Repo(FIXTURES / "placeholders"))
    assert at(found) == [(".github/pull_request_template.md", 7)]


def test_secret_defaults_left_as_changethis_are_reported_unless_refused() -> None:
    found = secret_default_placeholders(Repo(FIXTURES / "placeholders"))
    # project_name is not a secret; app/refusing.py compares against its placeholder
    assert at(found) == [("app/config.py", 5), ("app/config.py", 6)]
    assert "'changethis'" in found[0].message


def test_example_orgs_match_the_templates_default_owner() -> None:
    copier = yaml.safe_load((ROOT / "copier.yml").read_text())
    assert copier["github_owner"]["default"] in EXAMPLE_ORGS


def test_the_gate_lists_placeholders_as_todo_and_stays_green(
    capsys: object, tmp_path: Path
) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "db.md").write_text("# DB\n\nTODO(team): fill in\n")
    assert main(["check", str(tmp_path), "--select", "RB105"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "todo RB105" in out
    assert "runbooks/db.md:3" in out
    assert "1 with placeholders left to fill in (todo)" in out
