"""GitHub workflow checks (GH100-GH110), `govkit workflows check`, and this repository's ci.yml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from govkit.checks import Check, Status, all_checks, run_checks
from govkit.checks import workflows as wf
from govkit.cli import main
from govkit.repo import Repo

ROOT = Path(__file__).parents[1]
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"

NOXFILE = '''\
import nox


@nox.session
def lint(session):
    """Lint."""


@nox.session(name="tests", python=["3.11"])
def run_tests(session):
    """Tests."""


@nox.session(default=False)
def serve(session):
    """Not a gate."""
'''


def job(name: str, extra: str = "") -> str:
    return f"""\
  {name}:
    runs-on: ubuntu-24.04
    timeout-minutes: 10{extra}
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - run: python -m pip install nox uv
      - run: nox -s {name}
"""


GOOD = (
    """\
name: ci
on:
  pull_request:
  push:
    branches: [main]
permissions: {}
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
jobs:
"""
    + job("lint")
    + job("tests", "\n    permissions:\n      contents: read")
)


def make_repo(root: Path, workflow: str = GOOD, noxfile: str | None = NOXFILE) -> Path:
    (root / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(workflow, encoding="utf-8")
    if noxfile is not None:
        (root / "noxfile.py").write_text(noxfile, encoding="utf-8")
    return root


def result(root: Path, check: type[Check]) -> tuple[Status, str]:
    outcomes = {o.check.id(): o for o in run_checks(Repo(root), [wf.GH100, check])}
    return outcomes[check.id()].status, outcomes[check.id()].message


WORKFLOW_CHECKS = [c for c in all_checks() if c.__module__ == wf.__name__]


@pytest.mark.parametrize("check", WORKFLOW_CHECKS, ids=lambda c: c.id())
def test_good_workflow_passes_every_check(tmp_path: Path, check: type[Check]) -> None:
    workflow = GOOD + job("secrets")
    noxfile = NOXFILE + '\n\n@nox.session\ndef secrets(session):\n    """S."""\n'
    assert result(make_repo(tmp_path, workflow, noxfile), check) == (Status.PASS, "")


TITLE_IN_RUN = (
    '      - run: echo "${{ github.event.pull_request.title }}"\n      - run: nox -s lint\n'
)
# Each case: (check, text replaced in GOOD, replacement, words the fix message must contain).
FAILING = [
    (wf.GH101, "permissions: {}\n", "permissions: write-all\n", ["permissions: {}"]),
    (wf.GH101, "permissions: {}\n", "permissions:\n  contents: write\n", ["contents: write"]),
    (wf.GH101, "permissions: {}\n", "", ["no top-level `permissions:`"]),
    (wf.GH102, CHECKOUT, "actions/checkout@v4", ["`actions/checkout@v4`", "git ls-remote"]),
    (wf.GH102, CHECKOUT, "actions/checkout@main", ["40-character commit SHA"]),
    (wf.GH102, CHECKOUT, "docker://alpine:3.20", ["sha256"]),
    (
        wf.GH104,
        "      - run: nox -s lint\n",
        TITLE_IN_RUN,
        ["PR_TITLE: ${{ github.event.pull_request.title }}", 'echo "$PR_TITLE"'],
    ),
    (
        wf.GH104,
        "      - run: nox -s lint\n",
        "      - run: git switch ${{ github.head_ref }}\n      - run: nox -s lint\n",
        ["github.head_ref"],
    ),
    (wf.GH105, "  cancel-in-progress: true\n", "", ["cancel-in-progress: true"]),
    (wf.GH106, "    timeout-minutes: 10\n", "", ["timeout-minutes: 20"]),
    (wf.GH107, "      - run: nox -s lint\n", "      - run: ruff check .\n", ["nox -s JOB_ID"]),
    (wf.GH108, "nox -s lint", "nox -s lint typo", ["`nox -s typo`", "Use one of: lint"]),
    (wf.GH109, "nox -s lint", "nox -s tests", ["jobs.lint does not run `nox -s lint`"]),
    (
        wf.GH109,
        "  lint:\n    runs-on",
        "  lint:\n    name: Lint\n    runs-on",
        ["remove it so the status check is called `lint`"],
    ),
    (wf.GH110, "", "", ["nox -s secrets"]),
]


@pytest.mark.parametrize(
    ("check", "old", "new", "fix_words"),
    FAILING,
    ids=[f"{c.id()}-{i}" for i, (c, *_rest) in enumerate(FAILING)],
)
def test_unsafe_workflow_fails_with_the_fix(
    tmp_path: Path, check: type[Check], old: str, new: str, fix_words: list[str]
) -> None:
    assert old in GOOD
    status, message = result(make_repo(tmp_path, GOOD.replace(old, new, 1)), check)
    assert status is Status.FAIL
    for words in fix_words:
        assert words in message


def test_gh100_fails_without_workflows_and_on_broken_yaml(tmp_path: Path) -> None:
    status, message = result(tmp_path, wf.GH100)
    assert status is Status.FAIL
    assert "on:\n  pull_request:" in message
    make_repo(tmp_path, "jobs: [unclosed")
    status, message = result(tmp_path, wf.GH100)
    assert status is Status.FAIL
    assert "invalid YAML" in message


def test_gh103_refuses_pr_head_checkout_under_pull_request_target(tmp_path: Path) -> None:
    target = GOOD.replace("  pull_request:\n", "  pull_request:\n  pull_request_target:\n")
    safe = make_repo(tmp_path / "safe", target)
    assert result(safe, wf.GH103) == (Status.PASS, "")
    head = target.replace(
        "          persist-credentials: false\n",
        "          persist-credentials: false\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n",
        1,
    )
    status, message = result(make_repo(tmp_path / "unsafe", head), wf.GH103)
    assert status is Status.FAIL
    assert "jobs.lint.steps[0] checks out the PR head" in message
    assert "on: pull_request" in message


def test_gh109_fix_is_a_job_to_paste(tmp_path: Path) -> None:
    noxfile = NOXFILE + '\n\n@nox.session\ndef audit(session):\n    """A."""\n'
    status, message = result(make_repo(tmp_path, GOOD, noxfile), wf.GH109)
    assert status is Status.FAIL
    assert "no pull-request job `audit`" in message
    assert "  audit:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 20" in message
    assert "      - run: python -m pip install nox uv\n      - run: nox -s audit" in message


def test_session_checks_skip_without_a_noxfile(tmp_path: Path) -> None:
    assert result(make_repo(tmp_path, GOOD, noxfile=None), wf.GH108)[0] is Status.SKIP


PUSH_ONLY_DEPLOY = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: ./deploy.sh
"""


def test_a_push_only_workflow_fails_gh100_and_is_still_examined(tmp_path: Path) -> None:
    make_repo(tmp_path, PUSH_ONLY_DEPLOY)
    outcomes = {o.check.id(): o for o in run_checks(Repo(tmp_path), WORKFLOW_CHECKS)}
    assert outcomes["GH100"].status is Status.FAIL
    [no_pr] = outcomes["GH100"].findings
    assert "Runs on push, never on `pull_request`" in no_pr.message
    for check_id, line in (("GH100", 1), ("GH101", 2), ("GH102", 6), ("GH106", 3)):
        assert outcomes[check_id].status is Status.FAIL, check_id
        [finding] = outcomes[check_id].findings
        assert (finding.path, finding.line) == (".github/workflows/ci.yml", line), check_id


def test_each_push_only_workflow_and_each_repeated_ref_has_its_own_line(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        "# push only\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n"
        "    timeout-minutes: 5\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - uses: actions/checkout@v4\n      - run: ./deploy.sh\n",
    )
    (tmp_path / ".github/workflows/nightly.yml").write_text(
        "name: nightly\non:\n  schedule: [{cron: '0 3 * * *'}]\njobs: {}\n"
    )
    outcomes = {o.check.id(): o for o in run_checks(Repo(tmp_path), WORKFLOW_CHECKS)}
    assert [(f.path, f.line) for f in outcomes["GH100"].findings] == [
        (".github/workflows/ci.yml", 2),
        (".github/workflows/nightly.yml", 2),
    ]
    assert [f.line for f in outcomes["GH102"].findings] == [8, 9]


def test_workflow_checks_do_not_apply_without_github_actions(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text("test:\n  script: [pytest]\n")
    outcomes = run_checks(Repo(tmp_path), WORKFLOW_CHECKS)
    assert {o.status for o in outcomes} == {Status.SKIP}
    assert "gitlab-ci" in {o.check.id(): o for o in outcomes}["GH100"].message


def test_matrix_expressions_are_not_session_names(tmp_path: Path) -> None:
    matrix = GOOD.replace("nox -s lint", "nox -s tests-${{ matrix.python }}", 1)
    assert result(make_repo(tmp_path, matrix), wf.GH108) == (Status.PASS, "")
    typo = GOOD.replace("nox -s lint", "nox -s typo-${{ matrix.python }}", 1)
    status, message = result(make_repo(tmp_path, typo), wf.GH108)
    assert status is Status.FAIL
    assert "`nox -s typo-${{ ... }}`" in message


# --- parsing helpers ---------------------------------------------------------------------------


def test_nox_sessions_reads_names_and_defaults() -> None:
    assert wf.nox_sessions(NOXFILE) == {"lint": True, "tests": True, "serve": False}
    listed = NOXFILE + '\nnox.options.sessions = ["lint"]\n'
    assert wf.nox_sessions(listed) == {"lint": True, "tests": False, "serve": False}


@pytest.mark.parametrize(
    ("script", "sessions"),
    [
        ("nox -s lint", ["lint"]),
        ("uv run nox -s lint tests -- -x", ["lint", "tests"]),
        ("uvx nox --session=typecheck", ["typecheck"]),
        ("nox -s a && echo -s b", ["a"]),
        ("pip install nox\nnox --sessions tests-3.11 --no-venv", ["tests-3.11"]),
        ("echo nox", []),
        ("ruff check .", []),
        ("nox -s test-${{ matrix.python }}", [f"test-{wf.EXPRESSION_MARK}"]),
        ("nox -s ${{ matrix.session }} lint", ["lint"]),
    ],
)
def test_nox_calls(script: str, sessions: list[str]) -> None:
    assert wf.nox_calls(script) == sessions


# --- the CLI and this repository ---------------------------------------------------------------


def test_cli_names_each_problem_and_its_fix(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's "done when": write-all, an unpinned action, a PR title inside run:."""
    assert main(["workflows", "check", str(ROOT / "kit_tests/fixtures/workflows/unsafe")]) == 1
    out = capsys.readouterr().out
    assert "FAIL GH101" in out
    assert "top-level `permissions: write-all`" in out
    assert "FAIL GH102" in out
    assert "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2" in out
    assert "FAIL GH104" in out
    assert "PR_TITLE: ${{ github.event.pull_request.title }}" in out


def test_this_repository_passes_its_workflow_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workflows", "check", str(ROOT)]) == 0, capsys.readouterr().out


def test_ci_installs_the_locked_nox() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    [nox_version] = [p["version"] for p in lock["package"] if p["name"] == "nox"]
    ci = (ROOT / wf.CI_WORKFLOW).read_text(encoding="utf-8")
    installs = re.findall(r"pip install (.*)", ci)
    assert installs
    assert all(f"nox=={nox_version}" in line.split() for line in installs)
