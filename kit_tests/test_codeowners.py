"""CODEOWNERS checks (T18): pattern semantics, syntax, order, shadowing and critical paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.checks import Status, run_checks
from govkit.checks.codeowners import OWN101, OWN102, OWN103, OWN104, OWN105, Rule
from govkit.cli import main
from govkit.profile import profile_of
from govkit.repo import Repo
from kit_tests.check_support import run


def write_codeowners(root: Path, text: str) -> None:
    (root / "CODEOWNERS").write_text(text)


@pytest.mark.parametrize(
    ("pattern", "owned", "not_owned"),
    [
        ("*", ["a", "x/y/z.py"], []),
        ("*.js", ["a.js", "src/deep/b.js"], ["a.jsx", "js/a.py"]),
        ("/build/logs/", ["build/logs/a", "build/logs/x/y"], ["x/build/logs/a", "build/logs"]),
        ("docs/*", ["docs/a.md"], ["docs/sub/b.md", "x/docs/a.md"]),
        ("apps/", ["apps/a", "x/apps/b/c"], ["apps"]),
        ("/docs", ["docs", "docs/a/b"], ["x/docs/a"]),
        ("**/logs", ["logs/a", "deep/nested/logs/b"], ["logsx/a"]),
        ("/a/**/b", ["a/b/c", "a/x/y/b/z"], ["a/c"]),
    ],
)
def test_patterns_follow_github_semantics(
    pattern: str, owned: list[str], not_owned: list[str]
) -> None:
    rule = Rule(1, pattern, ("@o",))
    assert [p for p in owned if not rule.matches(p)] == []
    assert [p for p in not_owned if rule.matches(p)] == []


def test_the_good_fixture_passes(repo: Path) -> None:
    for check in (OWN101, OWN102, OWN103, OWN104, OWN105):
        assert run(repo, check) == (Status.PASS, ""), check.id()


def test_missing_codeowners_fails_and_later_checks_are_skipped(repo: Path) -> None:
    (repo / "CODEOWNERS").unlink()
    outcomes = {o.check.id(): o for o in run_checks(Repo(repo), [OWN101, OWN102, OWN104])}
    assert outcomes["OWN101"].status is Status.FAIL
    assert "* @OWNER/TEAM" in outcomes["OWN101"].message  # never the kit's example owners
    assert outcomes["OWN102"].status is Status.SKIP
    assert outcomes["OWN104"].status is Status.SKIP


def test_a_library_without_codeowners_is_not_a_health_failure(repo: Path) -> None:
    (repo / "CODEOWNERS").unlink()
    (repo / "policies/ownership.md").unlink()  # it names CODEOWNERS: evidence of a team
    (repo / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    status, message = run(repo, OWN101)
    assert status is Status.SKIP
    assert "single maintainer" in message
    # stamped from the kit, it named its owning teams: CODEOWNERS applies again
    (repo / ".copier-answers.yml").write_text(
        "govkit_source: git+https://example.com/govkit\nowner_fallback: '@acme/payments'\n"
    )
    status, message = run(repo, OWN101)
    assert status is Status.FAIL
    assert "@acme/payments" in message


def _bare_app(root: Path, pyproject: str) -> Path:
    (root / "pyproject.toml").write_text(pyproject)
    (root / "app.py").write_text("app = None\n")
    return root


def test_a_single_author_app_or_template_needs_no_codeowners(tmp_path: Path) -> None:
    app = _bare_app(
        tmp_path,
        '[project]\nname = "app"\ndependencies = ["fastapi"]\nauthors = [{name = "Ann"}]\n',
    )
    assert run(app, OWN101)[0] is Status.SKIP
    (app / "copier.yml").write_text("name: {type: str}\n")
    assert run(app, OWN101)[0] is Status.SKIP


@pytest.mark.parametrize(
    ("extra", "evidence"),
    [
        ('maintainers = [{name = "A"}, {name = "B"}, {name = "C"}]\n', "3 authors"),
        ("", "docs/contributing.md refers to CODEOWNERS"),
        ("", "a deploy job to infrastructure behind a protected environment"),
    ],
)
def test_evidence_of_a_team_makes_codeowners_due(tmp_path: Path, extra: str, evidence: str) -> None:
    app = _bare_app(tmp_path, f'[project]\nname = "app"\ndependencies = ["fastapi"]\n{extra}')
    if evidence.startswith("docs/"):
        (app / "docs").mkdir()
        (app / "docs/contributing.md").write_text("Reviews: CODEOWNERS assigns them.\n")
    if evidence.startswith("a deploy"):
        (app / ".github/workflows").mkdir(parents=True)
        deploy = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        (app / ".github/workflows/deploy.yml").write_text(deploy + "      - run: flyctl deploy\n")
        assert run(app, OWN101)[0] is Status.SKIP  # an example app's unguarded deploy
        (app / ".github/workflows/deploy.yml").write_text(
            deploy.replace("    steps:\n", "    environment: pypi\n    steps:\n")
            + "      - uses: pypa/gh-action-pypi-publish@v1\n"
        )
        assert run(app, OWN101)[0] is Status.SKIP  # publishing a package is not a team deploy
        (app / ".github/workflows/deploy.yml").write_text(
            deploy.replace("    steps:\n", "    environment: production\n    steps:\n")
            + "      - run: flyctl deploy\n"
        )
    status, message = run(app, OWN101)
    assert status is Status.FAIL
    assert evidence in message


def test_dev_dependencies_do_not_make_a_library_a_service(tmp_path: Path) -> None:
    lib = _bare_app(
        tmp_path,
        '[project]\nname = "lib"\n[project.optional-dependencies]\ntest = ["fastapi"]\n'
        '[dependency-groups]\ndev = ["django"]\n',
    )
    (lib / "requirements-dev.txt").write_text("flask\n")
    assert profile_of(Repo(lib)).kind == "library"
    (lib / "requirements.txt").write_text("flask\n")
    assert profile_of(Repo(lib)).kind == "service"


def test_two_codeowners_locations_fail(repo: Path) -> None:
    (repo / ".github/CODEOWNERS").write_text("* @acme/platform\n")
    status, message = run(repo, OWN101)
    assert status is Status.FAIL
    assert "GitHub reads only .github/CODEOWNERS" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("!/app/x @acme/backend", "negation"),
        ("/app/[ab]/ @acme/backend", "`[ ]`"),
        ("/app/\\#x @acme/backend", "`\\#`"),
        ("/app/ acme-backend", "not @user, @org/team or an email"),
        ("/app/", "no owner"),
    ],
)
def test_unsupported_syntax_and_bad_owners_fail(repo: Path, line: str, expected: str) -> None:
    write_codeowners(repo, f"* @acme/platform\n{line}\n")
    status, message = run(repo, OWN102)
    assert status is Status.FAIL
    assert expected in message
    assert "CODEOWNERS:2" in message


def test_catch_all_not_first_fails(repo: Path) -> None:
    write_codeowners(repo, "/app/ @acme/backend\n* @acme/platform\n")
    status, message = run(repo, OWN103)
    assert status is Status.FAIL
    assert "Move the catch-all" in message


def test_missing_catch_all_fails(repo: Path) -> None:
    write_codeowners(repo, "/app/ @acme/backend\n")
    status, message = run(repo, OWN103)
    assert status is Status.FAIL
    assert "* @acme/backend" in message  # the repository's own owner, not an example


def test_specific_rule_shadowed_by_a_later_broad_one_fails(repo: Path) -> None:
    write_codeowners(repo, "* @acme/platform\n/app/auth/ @acme/identity\n/app/ @acme/backend\n")
    status, message = run(repo, OWN104)
    assert status is Status.FAIL
    assert "CODEOWNERS:2 `/app/auth/` never applies: line 3 `/app/`" in message
    assert "Move line 2 below line 3" in message


def test_catch_all_below_everything_shadows_every_rule(repo: Path) -> None:
    write_codeowners(repo, "*.py @acme/backend\n* @acme/platform\n")
    status, message = run(repo, OWN104)
    assert status is Status.FAIL
    assert "`*.py` never applies" in message


def test_overlapping_but_not_covering_rules_pass(repo: Path) -> None:
    write_codeowners(repo, "* @acme/platform\n/app/ @acme/backend\n*.sql @acme/data\n")
    assert run(repo, OWN104) == (Status.PASS, "")


def test_critical_path_owned_by_the_wrong_team_fails(repo: Path) -> None:
    write_codeowners(
        repo,
        "* @acme/platform\n/.github/ @acme/platform\n/app/ @acme/backend\n"
        "/migrations/ data-team@acme.example\n",
    )
    status, message = run(repo, OWN105)
    assert status is Status.FAIL
    assert "`/app/auth/` is owned by line 3 `/app/`" in message
    assert "add `/app/auth/ @acme/identity`" in message


def test_critical_path_left_to_the_fallback_fails(repo: Path) -> None:
    write_codeowners(
        repo,
        "* @acme/platform\n/app/ @acme/backend\n/app/auth/ @acme/identity\n"
        "/migrations/ data-team@acme.example\n",
    )
    status, message = run(repo, OWN105)
    assert status is Status.FAIL
    assert "`/.github/`" in message


def test_missing_ownership_policy_fails_with_a_table(repo: Path) -> None:
    (repo / "policies/ownership.md").unlink()
    status, message = run(repo, OWN105)
    assert status is Status.FAIL
    assert "| Path | Owner | Why |" in message


def test_codeowners_check_command_runs_only_ownership_checks(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["codeowners", "check", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "OWN101" in out
    assert "OWN105" in out
    assert "ADR101" not in out
    assert "BP101" not in out
    write_codeowners(repo, "/app/ @acme/backend\n")
    assert main(["codeowners", "check", str(repo), "-q"]) == 1
    assert "FAIL OWN103" in capsys.readouterr().out
