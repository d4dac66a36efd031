"""Branch protection checks (T17): the ruleset's shape and its link with the CI jobs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govkit.checks import Status, run_checks
from govkit.checks.rulesets import BP101, BP102, BP103, BP104
from govkit.cli import main
from govkit.repo import Repo
from govkit.rulesets import RULESET_FILE, problems
from kit_tests.check_support import run


def ruleset(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / RULESET_FILE).read_text())
    return data


def save(root: Path, data: dict[str, Any]) -> None:
    (root / RULESET_FILE).write_text(json.dumps(data))


def rule_params(data: dict[str, Any], kind: str) -> dict[str, Any]:
    params: dict[str, Any] = next(r for r in data["rules"] if r["type"] == kind)["parameters"]
    return params


def test_the_good_fixture_passes(repo: Path) -> None:
    for check in (BP101, BP102, BP103, BP104):
        assert run(repo, check) == (Status.PASS, ""), check.id()


def test_missing_ruleset_fails_with_a_complete_file_requiring_the_ci_jobs(repo: Path) -> None:
    (repo / RULESET_FILE).unlink()
    status, message = run(repo, BP101)
    assert status is Status.FAIL
    snippet = json.loads(message.split("\n", 1)[1])
    assert problems(snippet) == []
    assert [
        c["context"]
        for c in rule_params(snippet, "required_status_checks")["required_status_checks"]
    ] == ["lint", "tests"]


def test_invalid_json_fails(repo: Path) -> None:
    (repo / RULESET_FILE).write_text("{not json")
    status, message = run(repo, BP101)
    assert status is Status.FAIL
    assert "valid JSON" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(enforcement="evaluate"), '"enforcement": "active"'),
        (lambda d: d["conditions"]["ref_name"].update(include=["main"]), "~DEFAULT_BRANCH"),
        (lambda d: d["rules"].pop(0), '{"type": "deletion"}'),
        (lambda d: d["rules"].pop(1), '{"type": "non_fast_forward"}'),
        (
            lambda d: rule_params(d, "pull_request").update(required_approving_review_count=0),
            '"required_approving_review_count": 1',
        ),
        (
            lambda d: rule_params(d, "pull_request").update(require_code_owner_review=False),
            '"require_code_owner_review": true',
        ),
        (
            lambda d: rule_params(d, "pull_request").update(dismiss_stale_reviews_on_push=False),
            '"dismiss_stale_reviews_on_push": true',
        ),
        (
            lambda d: rule_params(d, "pull_request").update(
                required_review_thread_resolution=False
            ),
            '"required_review_thread_resolution": true',
        ),
        (
            lambda d: rule_params(d, "required_status_checks").update(
                strict_required_status_checks_policy=False
            ),
            '"strict_required_status_checks_policy": true',
        ),
        (
            lambda d: rule_params(d, "required_status_checks").update(required_status_checks=[]),
            "list the CI jobs",
        ),
        (
            lambda d: d.update(
                bypass_actors=[
                    {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}
                ]
            ),
            '"bypass_actors": []',
        ),
    ],
)
def test_a_weaker_ruleset_fails_with_the_setting_to_restore(
    repo: Path, change: Any, expected: str
) -> None:
    data = ruleset(repo)
    change(data)
    save(repo, data)
    status, message = run(repo, BP101)
    assert status is Status.FAIL
    assert expected in message


def test_required_check_no_job_produces_fails_with_the_fix(repo: Path) -> None:
    data = ruleset(repo)
    rule_params(data, "required_status_checks")["required_status_checks"].append({"context": "e2e"})
    save(repo, data)
    status, message = run(repo, BP102)
    assert status is Status.FAIL
    assert "no workflow job reports `e2e`" in message
    assert "Add one job per context to .github/workflows/ci.yml" in message
    assert '{"context": "e2e"}' in message
    assert "Contexts CI reports on pull requests: lint, tests." in message


def test_required_check_from_a_push_only_workflow_fails(repo: Path) -> None:
    (repo / ".github/workflows/nightly.yml").write_text(
        "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  e2e:\n    runs-on: x\n"
        "    steps: [{run: nox -s e2e}]\n"
    )
    data = ruleset(repo)
    rule_params(data, "required_status_checks")["required_status_checks"].append({"context": "e2e"})
    save(repo, data)
    status, message = run(repo, BP102)
    assert status is Status.FAIL
    assert "job `e2e` in .github/workflows/nightly.yml never runs on pull requests" in message


def test_job_name_and_matrix_set_the_contexts(repo: Path) -> None:
    (repo / ".github/workflows/ci.yml").write_text(
        "on: [pull_request]\njobs:\n"
        "  lint:\n    name: Lint\n    runs-on: x\n    steps: [{run: nox -s lint}]\n"
        "  tests:\n    strategy:\n      matrix:\n        python: ['3.11', '3.12']\n"
        "    runs-on: x\n    steps: [{run: nox -s tests}]\n"
    )
    status, message = run(repo, BP102)
    assert status is Status.FAIL
    assert "`lint`, `tests`" in message
    assert "Lint, tests (3.11), tests (3.12)" in message
    data = ruleset(repo)
    rule_params(data, "required_status_checks")["required_status_checks"] = [
        {"context": c} for c in ("Lint", "tests (3.11)", "tests (3.12)")
    ]
    save(repo, data)
    assert run(repo, BP102) == (Status.PASS, "")
    assert run(repo, BP103) == (Status.PASS, "")


def test_ci_job_that_is_not_required_fails(repo: Path) -> None:
    workflow = repo / ".github/workflows/ci.yml"
    workflow.write_text(
        workflow.read_text() + "  audit:\n    runs-on: x\n    steps:\n      - run: nox -s audit\n"
    )
    status, message = run(repo, BP103)
    assert status is Status.FAIL
    assert 'Add {"context": "audit"} to required_status_checks' in message


def test_ruleset_checks_are_skipped_not_failed_twice(repo: Path) -> None:
    data = ruleset(repo)
    data["enforcement"] = "disabled"
    save(repo, data)
    outcomes = {o.check.id(): o.status for o in run_checks(Repo(repo), [BP101, BP102, BP103])}
    assert outcomes == {"BP101": Status.FAIL, "BP102": Status.SKIP, "BP103": Status.SKIP}


def test_branch_protection_doc_must_name_the_file_and_commands(repo: Path) -> None:
    (repo / "docs/branch-protection.md").write_text("# Branch protection\nWe protect main.\n")
    status, message = run(repo, BP104)
    assert status is Status.FAIL
    assert RULESET_FILE in message
    assert "`--verify`" in message
    (repo / "docs/branch-protection.md").unlink()
    assert run(repo, BP104)[0] is Status.FAIL


def test_rulesets_check_command(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets", "check", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "pass BP102" in out
    assert "OWN101" not in out
    data = ruleset(repo)
    rule_params(data, "required_status_checks")["required_status_checks"].append(
        {"context": "ghost"}
    )
    save(repo, data)
    assert main(["rulesets", "check", str(repo)]) == 1
    assert "FAIL BP102" in capsys.readouterr().out
