"""The contributor protocol: AGENTS.md, labels as code (check and apply), the ticket template."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from govkit.checks import Status, all_checks, run_checks
from govkit.cli import main
from govkit.labels import REQUIRED_LABELS
from govkit.repo import Repo
from kit_tests.asgi_server import serve_asgi
from kit_tests.fake_github import TOKEN, FakeGitHub

ROOT = Path(__file__).resolve().parents[1]

NOXFILE = '''\
import nox


@nox.session
def lint(session):
    """Lint."""


@nox.session(default=False)
def serve(session):
    """Serve."""
'''

AGENTS = """# AGENTS.md

## Read first
README.md

## Run
`nox -s lint` then `govkit check .`

## Never without an ADR
Migrations.

## Report evidence
Commands and results.
"""

LABELS = "labels:\n" + "".join(
    f'  - name: "{name}"\n    color: "1d76db"\n    description: "When {name} applies"\n'
    for name in REQUIRED_LABELS
)

TICKET = """---
name: Ticket
about: A ticket
---
Ticket: TXX
Owner:
Status: todo
Risk:
PR:
Notes:
Goal:
Files expected:
Done when:
"""

CONTRIBUTING = """# Contributing

## Set up

`uv run pre-commit install`, then `nox -s lint` before you push.

## Pull requests

Fill in the template.
"""


def make_repo(root: Path, **overrides: str | None) -> Path:
    files: dict[str, str | None] = {
        "noxfile.py": NOXFILE,
        "AGENTS.md": AGENTS,
        ".github/labels.yml": LABELS,
        ".github/ISSUE_TEMPLATE/ticket.md": TICKET,
        "CONTRIBUTING.md": CONTRIBUTING,
    }
    files.update(overrides)
    for rel, text in files.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def outcome(root: Path, check_id: str) -> tuple[Status, str]:
    [result] = [
        o
        for o in run_checks(Repo(root), all_checks(), select=[check_id])
        if o.check.id() == check_id
    ]
    return result.status, result.message


@pytest.mark.parametrize("check_id", ["AGT101", "AGT102", "CTB101", "LBL101", "ISS101"])
def test_a_complete_repository_passes(tmp_path: Path, check_id: str) -> None:
    assert outcome(make_repo(tmp_path), check_id) == (Status.PASS, "")


def test_agents_without_a_section_fails_with_the_heading_to_add(tmp_path: Path) -> None:
    make_repo(tmp_path, **{"AGENTS.md": AGENTS.replace("## Never without an ADR", "## Other")})
    status, message = outcome(tmp_path, "AGT101")
    assert status is Status.FAIL
    assert "## Never without an ADR" in message


def test_agents_naming_a_missing_nox_session_fails(tmp_path: Path) -> None:
    make_repo(tmp_path, **{"AGENTS.md": AGENTS.replace("`nox -s lint`", "`nox -s lint fuzz`")})
    status, message = outcome(tmp_path, "AGT102")
    assert status is Status.FAIL
    assert "`nox -s fuzz` is not a session" in message
    assert "nox -l" in message


def test_agents_naming_a_missing_govkit_command_fails(tmp_path: Path) -> None:
    make_repo(tmp_path, **{"AGENTS.md": AGENTS.replace("govkit check .", "govkit frobnicate")})
    status, message = outcome(tmp_path, "AGT102")
    assert status is Status.FAIL
    assert "`govkit frobnicate` is not a govkit command" in message


def test_a_teams_own_contributing_guide_is_told_what_it_lacks(tmp_path: Path) -> None:
    """After adoption kept the team's CONTRIBUTING.md: each missing part, with the text to merge."""
    make_repo(tmp_path, **{"CONTRIBUTING.md": "# How we work\n\nBe kind. Run `nox`.\n"})
    status, message = outcome(tmp_path, "CTB101")
    assert status is Status.FAIL
    assert "CONTRIBUTING.md does not say the local hooks (`pre-commit install`)" in message
    assert "how pull requests work" in message
    assert "a `nox` command" not in message  # it has one
    assert "## Pull requests" in message


def test_failures_on_files_kept_at_adoption_are_todos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files Copier kept at adoption (`kept_files` in .copier-answers.yml): what they lack is
    listed as todo, and only other failures fail `govkit check`."""
    make_repo(tmp_path, **{"CONTRIBUTING.md": "# How we work\n"})
    select = ["check", str(tmp_path), "--select", "CTB101,AGT101"]
    answers = tmp_path / ".copier-answers.yml"
    answers.write_text("_commit: v1.0.0\nkept_files:\n- CONTRIBUTING.md\n- noxfile.py\n")

    assert main(select) == 0
    out = capsys.readouterr().out
    assert "todo CTB101" in out
    assert "pre-commit install" in out  # the fix is still printed
    assert out.splitlines()[-1] == (
        "1 of 2 checks passed or skipped, 0 failed, 1 to merge by hand into the files kept at "
        "adoption (CONTRIBUTING.md, noxfile.py)"
    )
    answers.write_text("_commit: v1.0.0\nkept_files:\n- README.md\n")
    assert main(select) == 1  # merged and dropped from the list: a failure again
    answers.write_text("kept_files: [unclosed\n")
    assert main(select) == 1  # an unreadable answers file keeps nothing


@pytest.mark.parametrize("where", [".github/CONTRIBUTING.md", "docs/CONTRIBUTING.md"])
def test_contributing_where_github_reads_it_counts(tmp_path: Path, where: str) -> None:
    make_repo(tmp_path, **{"CONTRIBUTING.md": None, where: CONTRIBUTING})
    assert outcome(tmp_path, "CTB101") == (Status.PASS, "")


def test_no_contributing_guide_fails_with_the_whole_guide(tmp_path: Path) -> None:
    make_repo(tmp_path, **{"CONTRIBUTING.md": None})
    status, message = outcome(tmp_path, "CTB101")
    assert status is Status.FAIL
    assert message.startswith("Create CONTRIBUTING.md:")
    assert "pre-commit install" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LABELS.replace('"priority:P0"', '"priority:urgent"'), "'priority:P0' is missing"),
        (LABELS.replace('"1d76db"', '"blue"', 1), "six lowercase hex digits"),
        (
            LABELS + '  - name: "area:backend"\n    color: "000000"\n    description: "x"\n',
            "listed twice",
        ),
        ("labels: [", "not valid YAML"),
    ],
)
def test_invalid_labels_fail(tmp_path: Path, text: str, expected: str) -> None:
    make_repo(tmp_path, **{".github/labels.yml": text})
    status, message = outcome(tmp_path, "LBL101")
    assert status is Status.FAIL
    assert expected in message


def test_ticket_template_without_rollback_fields_fails(tmp_path: Path) -> None:
    make_repo(tmp_path, **{".github/ISSUE_TEMPLATE/ticket.md": TICKET.replace("Done when:\n", "")})
    status, message = outcome(tmp_path, "ISS101")
    assert status is Status.FAIL
    assert "`Done when:`" in message


def test_this_repository_passes_the_protocol_checks() -> None:
    for check_id in ("AGT101", "AGT102", "CTB101", "LBL101", "ISS101"):
        assert outcome(ROOT, check_id) == (Status.PASS, ""), check_id


def test_every_command_named_in_agents_files_answers_help() -> None:
    """AGENTS.md names real commands: each one's --help works (nox sessions via `nox -l`)."""
    sessions = subprocess.run(
        ["nox", "-l"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for name in (
        "lint",
        "typecheck",
        "tests",
        "jwt_matrix",
        "contracts",
        "migrations",
        "workflows",
        "check",
        "secrets",
        "slo",
        "template",
    ):
        assert f"{name} -> " in sessions, name
    for command in (
        ["govkit", "check", "--help"],
        ["govkit", "audit", "--help"],
        ["govkit", "adr", "new", "--help"],
        ["pricing-service", "--help"],
        ["pricing-service", "migrate", "--help"],
        ["pricing-service", "serve", "--help"],
        ["pricing-service", "worker", "--help"],
        ["pricing-service", "users", "--help"],
    ):
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub()


@pytest.fixture
def api_url(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with serve_asgi(fake.app) as url:
        yield url


def apply(tmp_path: Path, api_url: str, *extra: str) -> int:
    repo = make_repo(tmp_path)
    return main(
        [
            "labels",
            "apply",
            "--repo",
            "acme/shop",
            "--file",
            str(repo / ".github/labels.yml"),
            "--api-url",
            api_url,
            *extra,
        ]
    )


def test_apply_creates_then_is_idempotent(
    tmp_path: Path, fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(tmp_path, api_url) == 0
    assert {label["name"] for label in fake.labels.values()} == set(REQUIRED_LABELS)
    assert apply(tmp_path, api_url, "--verify") == 0
    assert "labels match" in capsys.readouterr().out


def test_verify_reports_drift_and_apply_fixes_it(
    tmp_path: Path, fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    apply(tmp_path, api_url)
    fake.labels["priority:p0"]["color"] = "ffffff"
    fake.labels["wontfix"] = {"name": "wontfix", "color": "000000", "description": "old"}
    capsys.readouterr()
    assert apply(tmp_path, api_url, "--verify") == 1
    out = capsys.readouterr().out
    assert "update priority:P0: color 'ffffff' -> 'b60205'" not in out  # fixture colour is 1d76db
    assert "update priority:P0: color 'ffffff' -> '1d76db'" in out
    assert "wontfix" not in out  # only with --prune
    assert fake.labels["priority:p0"]["color"] == "ffffff"  # --verify changes nothing
    assert apply(tmp_path, api_url, "--prune") == 0
    assert fake.labels["priority:p0"]["color"] == "1d76db"
    assert "wontfix" not in fake.labels


def test_apply_without_token_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    repo = make_repo(tmp_path)
    code = main(
        ["labels", "apply", "--repo", "acme/shop", "--file", str(repo / ".github/labels.yml")]
    )
    assert code == 2
    assert "GITHUB_TOKEN is not set" in capsys.readouterr().err


def test_apply_with_a_bad_token_reports_github_message(
    tmp_path: Path,
    api_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    assert apply(tmp_path, api_url) == 2
    assert "Bad credentials" in capsys.readouterr().err


def test_agents_may_name_a_session_with_a_dash(tmp_path: Path) -> None:
    noxfile = (
        NOXFILE
        + '\n\n@nox.session(name="pr-contract", default=False)\n'
        + 'def pr_contract(session):\n    """PR."""\n'
    )
    make_repo(
        tmp_path,
        **{
            "noxfile.py": noxfile,
            "AGENTS.md": AGENTS.replace("`nox -s lint`", "`nox -s pr-contract`"),
        },
    )
    assert outcome(tmp_path, "AGT102") == (Status.PASS, "")
    make_repo(tmp_path, **{"AGENTS.md": AGENTS.replace("`nox -s lint`", "`nox -s pr-other`")})
    assert outcome(tmp_path, "AGT102")[0] is Status.FAIL
