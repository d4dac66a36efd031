"""PR template and release checklist checks (T15), the Markdown helper, and the good fixture."""

from __future__ import annotations

from pathlib import Path

from govkit.checks import Status, all_checks, run_checks
from govkit.checks import _markdown as md
from govkit.checks.docs import PR101, REL101
from govkit.repo import Repo
from kit_tests.check_support import run

MY_MODULES = {f"govkit.checks.{m}" for m in ("rulesets", "codeowners", "docs", "adr", "runbooks")}


def test_every_docs_and_ownership_check_passes_on_the_good_fixture(repo: Path) -> None:
    checks = [c for c in all_checks() if c.__module__ in MY_MODULES]
    assert len(checks) >= 20
    failed = {
        o.check.id(): o.message
        for o in run_checks(Repo(repo), checks)
        if o.status is not Status.PASS
    }
    assert failed == {}


def test_sections_ignore_headings_inside_code_blocks() -> None:
    text = "# Top\n\n## Diagnosis\n```sh\n# not a heading\nls\n```\n## Next\nbody\n"
    titles = [s.title for s in md.sections(text)]
    assert titles == ["Top", "Diagnosis", "Next"]
    diagnosis = md.find(md.sections(text), "diagnosis")
    assert diagnosis is not None
    assert "# not a heading" in diagnosis.body
    assert md.code_blocks(diagnosis.body) == ["# not a heading\nls"]


def test_find_matches_case_insensitively_by_prefix() -> None:
    found = md.sections("## RISKS and notes\ntext\n## first 15 minutes!\n1. go\n")
    assert md.find(found, "Risk") is not None
    assert md.find(found, "First 15 minutes") is not None
    assert md.missing("## Scope\n", ("Scope", "Rollback")) == ["Rollback"]


def test_pr_template_passes(repo: Path) -> None:
    assert run(repo, PR101) == (Status.PASS, "")


def test_pr_template_without_rollback_fails_with_the_heading_to_add(repo: Path) -> None:
    path = repo / ".github/pull_request_template.md"
    path.write_text(path.read_text().replace("## Rollback\nRevert.\n", ""))
    status, message = run(repo, PR101)
    assert status is Status.FAIL
    assert "## Rollback" in message


def test_pr_template_needs_the_ai_disclosure_and_not_changed_scope(repo: Path) -> None:
    path = repo / ".github/pull_request_template.md"
    text = path.read_text().replace("- [ ] source: ai-assisted", "")
    path.write_text(text.replace("- Intentionally not changed:\n", ""))
    status, message = run(repo, PR101)
    assert status is Status.FAIL
    assert "source: ai-assisted" in message
    assert "not changed" in message


def test_missing_pr_template_fails_with_every_section(repo: Path) -> None:
    (repo / ".github/pull_request_template.md").unlink()
    status, message = run(repo, PR101)
    assert status is Status.FAIL
    assert all(f"## {s}" in message for s in ("Scope", "Validation", "Risk", "Linked issue"))


def test_release_checklist_passes(repo: Path) -> None:
    assert run(repo, REL101) == (Status.PASS, "")


def test_release_checklist_without_monitoring_fails(repo: Path) -> None:
    path = repo / "policies/release-checklist.md"
    path.write_text(path.read_text().replace("## Monitoring\n- [ ] Dashboards open.\n", ""))
    status, message = run(repo, REL101)
    assert status is Status.FAIL
    assert "## Monitoring" in message


def test_release_checklist_section_without_items_fails(repo: Path) -> None:
    path = repo / "policies/release-checklist.md"
    path.write_text(path.read_text().replace("- [ ] Ran on staging.", "Be careful."))
    status, message = run(repo, REL101)
    assert status is Status.FAIL
    assert "Migrations" in message
    assert "- [ ]" in message
