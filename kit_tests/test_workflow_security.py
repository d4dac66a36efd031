"""Workflow hygiene of issue 20: retired runners, end-of-life actions, secrets echoed, written to
$GITHUB_ENV or pasted into scripts, and unguarded deploy jobs, each at its file and line."""

from __future__ import annotations

from pathlib import Path

from govkit.checks.workflow_security import (
    eol_actions,
    retired_runners,
    secrets_echoed,
    secrets_in_run,
    unguarded_deploys,
    workflow_findings,
)
from govkit.repo import Repo

FIXTURES = Path(__file__).parent / "fixtures" / "audit"
MAIN = ".github/workflows/main.yml"
PUBLISH = ".github/workflows/publish.yml"


def unsafe() -> Repo:
    return Repo(FIXTURES / "workflows_unsafe")


def at(findings: list) -> set[tuple[str | None, int | None]]:  # type: ignore[type-arg]
    return {(f.path, f.line) for f in findings}


def test_retired_runners_are_reported_where_they_are_named_even_in_a_matrix() -> None:
    found = retired_runners(unsafe())
    assert at(found) == {(MAIN, 7), (MAIN, 21), (PUBLISH, 8)}
    messages = " ".join(f.message for f in found)
    for expected in ("`ubuntu-20.04`", "Use `ubuntu-24.04`", "`macos-12`", "`windows-2019`"):
        assert expected in messages


def test_end_of_life_action_versions_are_read_from_the_tag_or_the_pin_comment() -> None:
    found = eol_actions(unsafe())
    assert at(found) == {(MAIN, 9), (MAIN, 10), (MAIN, 13)}  # checkout v3, setup-python v2, v3
    assert any("Node 16" in f.message and "actions/checkout@v4" in f.message for f in found)
    assert any("artifact service" in f.message for f in found)


def test_secrets_echoed_or_written_to_github_env_are_reported_at_their_line() -> None:
    found = secrets_echoed(unsafe())
    assert at(found) == {(MAIN, 23), (MAIN, 31), (MAIN, 35)}
    by_line = {f.line: f.message for f in found}
    assert "echoes secrets.API_TOKEN" in by_line[23]
    assert "echoes secrets.REGISTRY_PASSWORD" in by_line[31]  # through the job's env
    assert "writes secrets.HEROKU_API_KEY to $GITHUB_ENV" in by_line[35]


def test_secret_expressions_in_run_scripts_are_reported_with_the_env_fix() -> None:
    found = secrets_in_run(unsafe())
    assert at(found) == {(MAIN, 23), (MAIN, 35)}
    assert "HEROKU_API_KEY: ${{ secrets.HEROKU_API_KEY }}" in found[1].message


def test_deploy_jobs_any_branch_can_start_are_reported_at_the_job() -> None:
    found = unguarded_deploys(unsafe())
    assert at(found) == {(MAIN, 24), (PUBLISH, 7)}  # push to any branch; workflow_dispatch
    assert all("environment: production" in f.message for f in found)


def test_guarded_pinned_and_masked_workflows_are_clean() -> None:
    # branch- and tag-filtered triggers, an environment, an `if:` on the ref, a disabled job,
    # a secret piped to --password-stdin and masked, current runners and action versions
    assert workflow_findings(Repo(FIXTURES / "workflows_safe")) == {
        "retired-runner": [],
        "eol-action": [],
        "secret-echo": [],
        "secret-in-run": [],
        "deploy-unguarded": [],
    }


def test_a_push_only_workflow_is_examined_without_a_pull_request_ci() -> None:
    from govkit.audit import run_audit
    from govkit.checks.base import Status

    results = {r.check.id(): r for r in run_audit(unsafe()).results}
    assert results["GH100"].status is Status.FAIL  # no workflow runs on pull_request
    for check_id in ("GH111", "GH112", "GH113", "GH114", "GH115"):
        assert results[check_id].status is Status.FAIL, check_id
        assert all(f.path and f.line for f in results[check_id].findings)
