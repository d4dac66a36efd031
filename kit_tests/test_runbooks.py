"""Runbook checks (T19): incident sections, alerts linking to runbooks, the index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkit.checks import Status
from govkit.checks.runbooks import RB101, RB102, RB103, RB104
from govkit.cli import main
from kit_tests.check_support import run

RULES = "ops/prometheus/slo.rules.yml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_the_good_fixture_passes(repo: Path) -> None:
    for check in (RB101, RB102, RB103, RB104):
        assert run(repo, check) == (Status.PASS, ""), check.id()


@pytest.mark.parametrize(
    "section",
    ["Severity", "Detection", "First 15 minutes", "Diagnosis", "Mitigation", "Escalation"],
)
def test_deleting_a_required_section_fails_with_the_heading_to_add(
    repo: Path, section: str
) -> None:
    path = repo / "runbooks/api-degraded.md"
    text = path.read_text()
    start = text.index(f"## {section}")
    end = text.find("\n## ", start + 1)
    path.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))
    status, message = run(repo, RB101)
    assert status is Status.FAIL
    assert f"runbooks/api-degraded.md: add the section `## {section}`" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("P1 when paged.", "Bad.", "P1..P4"),
        ("1. Acknowledge.\n2.", "- Acknowledge.\n-", "numbered steps"),
        ("## Escalation\n@acme/backend", "## Escalation\nSomeone senior.", "escalation owner"),
        ("## Mitigation\nRoll back the deploy.", "## Mitigation\n", "fill in `## Mitigation`"),
    ],
)
def test_weak_section_content_fails(repo: Path, old: str, new: str, expected: str) -> None:
    edit(repo / "runbooks/api-degraded.md", old, new)
    status, message = run(repo, RB101)
    assert status is Status.FAIL
    assert expected in message


def test_diagnosis_without_commands_fails(repo: Path) -> None:
    path = repo / "runbooks/api-degraded.md"
    text = path.read_text()
    start, end = text.index("```sh"), text.index("```\n\n## Mitigation")
    path.write_text(text[:start] + "Look at the logs." + text[end + 3 :])
    status, message = run(repo, RB101)
    assert status is Status.FAIL
    assert "fenced code block" in message


def test_no_runbooks_fails(repo: Path) -> None:
    (repo / "runbooks/api-degraded.md").unlink()
    status, message = run(repo, RB101)
    assert status is Status.FAIL
    assert "## First 15 minutes" in message


def test_alert_without_runbook_url_fails(repo: Path) -> None:
    edit(
        repo / RULES,
        "          runbook_url: https://github.com/acme/x/blob/main/runbooks/api-degraded.md\n",
        "          summary: errors\n",
    )
    status, message = run(repo, RB102)
    assert status is Status.FAIL
    assert "alert ApiErrorsFastBurn needs the annotation `runbook_url:" in message


def test_alert_linking_a_missing_runbook_fails(repo: Path) -> None:
    edit(repo / RULES, "runbooks/api-degraded.md", "runbooks/api-down.md")
    status, message = run(repo, RB102)
    assert status is Status.FAIL
    assert "links runbooks/api-down.md, which does not exist" in message


def test_alert_checks_skip_without_rules(repo: Path) -> None:
    (repo / RULES).unlink()
    assert run(repo, RB102)[0] is Status.SKIP
    assert run(repo, RB103)[0] is Status.SKIP


def test_runbook_naming_an_unknown_alert_fails(repo: Path) -> None:
    edit(repo / "runbooks/api-degraded.md", "`ApiErrorsFastBurn`", "`ApiErrorsBurnRatePage`")
    status, message = run(repo, RB103)
    assert status is Status.FAIL
    assert "`ApiErrorsBurnRatePage` is not an alert" in message
    assert "use one of ApiErrorsFastBurn" in message


def test_index_missing_a_runbook_fails(repo: Path) -> None:
    shutil.copy(repo / "runbooks/api-degraded.md", repo / "runbooks/db-down.md")
    status, message = run(repo, RB104)
    assert status is Status.FAIL
    assert "Add to runbooks/README.md: - [db-down](db-down.md)" in message


def test_runbooks_check_command(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runbooks", "check", str(repo)]) == 0
    assert "pass RB102" in capsys.readouterr().out
    edit(repo / "runbooks/api-degraded.md", "## Escalation", "## Contacts")
    assert main(["runbooks", "check", str(repo), "-q"]) == 1
    out = capsys.readouterr().out
    assert "FAIL RB101" in out
    assert "add the section `## Escalation`" in out
