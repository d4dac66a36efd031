"""ADR checks (T20) and `govkit adr new`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from govkit.checks import Status
from govkit.checks.adr import ADR101, ADR102, ADR103, ADR104, ADR105
from govkit.cli import main
from kit_tests.check_support import run


def adr_dir(root: Path) -> Path:
    return root / "docs" / "adr"


def test_the_good_fixture_passes(repo: Path) -> None:
    for check in (ADR101, ADR102, ADR103, ADR104, ADR105):
        assert run(repo, check) == (Status.PASS, ""), check.id()


def test_a_gap_in_numbers_fails_with_the_rename_that_closes_it(repo: Path) -> None:
    second = adr_dir(repo) / "0002-second-decision.md"
    second.rename(adr_dir(repo) / "0003-second-decision.md")
    status, message = run(repo, ADR101)
    assert status is Status.FAIL
    assert "missing: 0002" in message
    assert "0003-second-decision.md -> 0002-second-decision.md" in message


def test_duplicate_numbers_fail(repo: Path) -> None:
    shutil.copy(adr_dir(repo) / "0002-second-decision.md", adr_dir(repo) / "0002-other.md")
    status, message = run(repo, ADR101)
    assert status is Status.FAIL
    assert "share number 0002" in message


def test_misnamed_adr_and_no_adrs_fail(repo: Path) -> None:
    (adr_dir(repo) / "use-postgres.md").write_text("# Use Postgres\n")
    status, message = run(repo, ADR101)
    assert status is Status.FAIL
    assert "Rename docs/adr/use-postgres.md" in message
    for path in adr_dir(repo).glob("0*-*.md"):
        if path.name != "0000-template.md":
            path.unlink()
    assert "govkit adr new" in run(repo, ADR101)[1]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("# 0002. Second decision", "# Second decision", "`# 0002. Title`"),
        ("- Status: accepted", "- Status: maybe", "- Status: proposed"),
        ("- Date: 2026-11-27", "- Date: last week", "YYYY-MM-DD"),
        ("- Deciders: @acme/platform\n- Supersedes", "- Deciders:\n- Supersedes", "Deciders"),
        ("## Options considered\n1. B. 2. C.\n", "", "`## Options considered`"),
    ],
)
def test_adr_content_problems_fail(repo: Path, old: str, new: str, expected: str) -> None:
    path = adr_dir(repo) / "0002-second-decision.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    status, message = run(repo, ADR102)
    assert status is Status.FAIL
    assert message.startswith("docs/adr/0002-second-decision.md:")
    assert expected in message


def test_template_without_sections_fails(repo: Path) -> None:
    (adr_dir(repo) / "0000-template.md").write_text("# NNNN. Title\n\n## Context\n")
    status, message = run(repo, ADR102)
    assert status is Status.FAIL
    assert "`## Decision`" in message


def test_supersede_link_missing_on_the_new_adr_fails(repo: Path) -> None:
    path = adr_dir(repo) / "0002-second-decision.md"
    path.write_text(path.read_text().replace("- Supersedes: [0001](0001-first-decision.md)\n", ""))
    status, message = run(repo, ADR103)
    assert status is Status.FAIL
    assert "0002-second-decision.md: add `- Supersedes: [0001](0001-first-decision.md)`" in message


def test_supersede_link_missing_on_the_old_adr_fails(repo: Path) -> None:
    path = adr_dir(repo) / "0001-first-decision.md"
    path.write_text(
        path.read_text().replace(
            "- Status: superseded by [0002](0002-second-decision.md)", "- Status: accepted"
        )
    )
    status, message = run(repo, ADR103)
    assert status is Status.FAIL
    assert "superseded by [0002](0002-second-decision.md)" in message


def test_index_missing_an_adr_or_linking_a_ghost_fails(repo: Path) -> None:
    index = adr_dir(repo) / "README.md"
    index.write_text(
        "# ADRs\n\n- [0001. First decision](0001-first-decision.md)\n- [0009. Gone](0009-gone.md)\n"
    )
    status, message = run(repo, ADR104)
    assert status is Status.FAIL
    assert "Add to docs/adr/README.md: - [0002. Second decision](0002-second-decision.md)" in (
        message
    )
    assert "links 0009-gone.md, which does not exist" in message


def test_root_readme_must_link_the_index(repo: Path) -> None:
    (repo / "README.md").write_text("# Example\n")
    status, message = run(repo, ADR105)
    assert status is Status.FAIL
    assert "(docs/adr/README.md)" in message


def test_adr_new_writes_the_next_adr_and_indexes_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = adr_dir(repo)
    assert main(["adr", "new", "Use PostgreSQL for jobs!", "--dir", str(folder)]) == 0
    created = folder / "0003-use-postgresql-for-jobs.md"
    assert capsys.readouterr().out.strip() == str(created)
    text = created.read_text()
    assert text.startswith("# 0003. Use PostgreSQL for jobs!\n")
    assert "- Status: proposed" in text
    assert "<!--" not in text
    assert f"- Date: {dt.datetime.now(dt.UTC).date().isoformat()}" in text
    index = (folder / "README.md").read_text().splitlines()
    assert index[-1] == "- [0003. Use PostgreSQL for jobs!](0003-use-postgresql-for-jobs.md)"
    assert run(repo, ADR101)[0] is Status.PASS
    assert run(repo, ADR102)[0] is Status.PASS
    assert run(repo, ADR104)[0] is Status.PASS


def test_adr_new_inserts_after_the_last_entry_not_at_the_end(repo: Path) -> None:
    index = adr_dir(repo) / "README.md"
    index.write_text(index.read_text() + "\n## Writing one\n\nUse the template.\n")
    assert main(["adr", "new", "Third", "--dir", str(adr_dir(repo))]) == 0
    lines = index.read_text().splitlines()
    assert lines[lines.index("- [0002. Second decision](0002-second-decision.md)") + 1] == (
        "- [0003. Third](0003-third.md)"
    )
    assert lines[-1] == "Use the template."


def test_adr_new_bad_input_is_one_line_and_exit_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["adr", "new", "!!!", "--dir", str(adr_dir(repo))]) == 2
    assert "at least one letter" in capsys.readouterr().err
    assert main(["adr", "new", "Title", "--dir", str(tmp_path / "nowhere")]) == 2
    assert "no template" in capsys.readouterr().err


def test_adr_check_command(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adr", "check", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "pass ADR101" in out
    assert "OWN101" not in out
    (adr_dir(repo) / "0002-second-decision.md").rename(adr_dir(repo) / "0004-second-decision.md")
    assert main(["adr", "check", str(repo)]) == 1
    assert "FAIL ADR101" in capsys.readouterr().out
