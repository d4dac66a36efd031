"""`govkit drift` against the fake GitHub: rulesets, labels, CODEOWNERS teams, template version,
and the one drift issue it opens, updates and closes."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from govkit.cli import main
from kit_tests.asgi_server import serve_asgi
from kit_tests.check_support import GOOD
from kit_tests.fake_github import TOKEN, FakeGitHub
from kit_tests.test_template import commit_all, git, run

ROOT = Path(__file__).resolve().parents[1]
REPO = "acme/shop"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The fixture repository with the kit's labels file."""
    target = tmp_path / "shop"
    shutil.copytree(GOOD, target)
    shutil.copy(ROOT / ".github" / "labels.yml", target / ".github" / "labels.yml")
    return target


@pytest.fixture
def fake(repo: Path) -> FakeGitHub:
    """GitHub as the files say it should be: nothing has drifted."""
    github = FakeGitHub(REPO)
    github.store(json.loads((repo / ".github/rulesets/default-branch.json").read_text()))
    for label in yaml.safe_load((repo / ".github/labels.yml").read_text())["labels"]:
        github.labels[label["name"].lower()] = dict(label)
    github.teams.update(
        {"acme/platform": "maintain", "acme/backend": "push", "acme/identity": "admin"}
    )
    return github


@pytest.fixture
def api_url(fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    with serve_asgi(fake.app) as url:
        yield url


def drift(repo: Path, api_url: str, *extra: str) -> int:
    return main(["drift", str(repo), "--repo", REPO, "--api-url", api_url, *extra])


def drift_away(fake: FakeGitHub) -> None:
    """What people do in GitHub's settings pages after the first apply."""
    [ruleset] = fake.rulesets.values()
    for rule in ruleset["rules"]:
        if rule["type"] == "pull_request":
            rule["parameters"]["required_approving_review_count"] = 0
    fake.labels["effort:l"]["color"] = "ffffff"
    del fake.labels["priority:p2"]
    fake.labels["wontfix"] = {"name": "wontfix", "color": "000000", "description": "old"}
    del fake.teams["acme/identity"]
    fake.teams["acme/backend"] = "pull"


def test_nothing_drifted(repo: Path, api_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert drift(repo, api_url, "--issue") == 0
    out = capsys.readouterr().out
    for area in ("Branch ruleset", "Labels", "CODEOWNERS"):
        assert f"- **{area}**: matches" in out
    assert "- **Template**: not checked (not stamped from the template" in out
    assert out.endswith("no drift issue to open\n")


def test_every_drift_is_named_with_its_fix(
    repo: Path, fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    drift_away(fake)
    assert drift(repo, api_url) == 1
    out = capsys.readouterr().out
    assert f"fix: `govkit rulesets apply --repo {REPO}`" in out
    assert "rules[pull_request].parameters.required_approving_review_count: file 1, live 0" in out
    assert f"fix: `govkit labels apply --repo {REPO} --prune`" in out
    assert "label `effort:L` differs on GitHub: color 'ffffff' -> 'c5def5'" in out
    assert "label `priority:P2` is in .github/labels.yml but not on GitHub" in out
    assert "label `wontfix` is on GitHub but not in .github/labels.yml" in out
    assert "CODEOWNERS names @acme/identity, but acme has no such team" in out
    assert (
        "CODEOWNERS names @acme/backend, which cannot write to acme/shop: "
        "GitHub ignores code owners without write access"
    ) in out
    assert not fake.issues  # no --issue: report only
    assert not [call for call in fake.calls if not call.startswith("GET")]


def test_one_issue_opened_updated_then_closed(
    repo: Path, fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.issues[1] = {"number": 1, "state": "open", "title": "Unrelated", "body": "hello"}
    drift_away(fake)
    assert drift(repo, api_url, "--issue") == 1
    assert capsys.readouterr().out.endswith("opened issue #2\n")
    issue = fake.issues[2]
    assert issue["title"].startswith("govkit drift:")
    assert "acme has no such team" in issue["body"]

    assert drift(repo, api_url, "--issue") == 1  # the weekly run again: still one issue
    assert capsys.readouterr().out.endswith("issue #2 already says this\n")

    fake.teams["acme/identity"] = "push"  # one drift fixed, the rest remains
    assert drift(repo, api_url, "--issue") == 1
    assert capsys.readouterr().out.endswith("updated issue #2\n")
    assert "no such team" not in fake.issues[2]["body"]
    assert len(fake.issues) == 2

    fake.store(json.loads((repo / ".github/rulesets/default-branch.json").read_text()), 100)
    main(["labels", "apply", "--repo", REPO, "--file", str(repo / ".github/labels.yml"),
          "--api-url", api_url, "--prune"])  # fmt: skip
    fake.teams["acme/backend"] = "push"
    capsys.readouterr()
    assert drift(repo, api_url, "--issue") == 0
    assert capsys.readouterr().out.endswith("closed issue #2\n")
    assert fake.issues[2]["state"] == "closed"
    assert fake.comments[2][0].startswith("GitHub matches the repository's files again")
    assert fake.issues[1]["state"] == "open"  # other issues are left alone


def test_users_in_codeowners_must_exist(
    repo: Path, fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "CODEOWNERS").write_text("* @acme/platform\n/docs/ @mara-dev @ghost-user\n")
    fake.users.add("mara-dev")
    assert drift(repo, api_url) == 1
    out = capsys.readouterr().out
    assert "CODEOWNERS names @ghost-user, which is not a GitHub user" in out
    assert "@mara-dev" not in out


def test_a_missing_ruleset_is_drift(
    repo: Path, fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.rulesets.clear()
    assert drift(repo, api_url) == 1
    assert "GitHub has no ruleset named `default-branch`" in capsys.readouterr().out


def small_template(root: Path) -> Path:
    """A one-file Copier template released as v1.0.0."""
    root.mkdir()
    (root / "copier.yml").write_text("_answers_file: .copier-answers.yml\n")
    (root / "NOTES.md.jinja").write_text("Stamped.\n")
    (root / "{{_copier_conf.answers_file}}.jinja").write_text("{{ _copier_answers|to_nice_yaml }}")
    git(root, "init", "-q")
    commit_all(root, "template v1")
    git(root, "tag", "v1.0.0")
    return root


def test_a_newer_template_release_is_drift(
    repo: Path,
    tmp_path: Path,
    api_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # copier on PATH, as the drift session's environment has it
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    template = small_template(tmp_path / "template")
    run([sys.executable, "-m", "copier", "copy", "--defaults", "--quiet", template, repo], tmp_path)
    git(repo, "init", "-q")
    commit_all(repo, "stamped")
    assert drift(repo, api_url) == 0
    assert "- **Template**: matches" in capsys.readouterr().out

    (template / "NOTES.md.jinja").write_text("Stamped, v2.\n")
    commit_all(template, "template v2")
    git(template, "tag", "v2.0.0")
    assert drift(repo, api_url) == 1
    out = capsys.readouterr().out
    assert "the template is at 1.0.0, the latest kit release is 2.0.0" in out
    assert "fix: `copier update --trust --defaults (docs/template.md)`" in out


@pytest.mark.parametrize(
    ("token", "args", "message"),
    [
        (None, ["--repo", REPO], "GITHUB_TOKEN is not set"),
        ("wrong", ["--repo", REPO], "GitHub API: GET /repos/acme/shop/rulesets"),
        (TOKEN, ["--repo", "not a repo"], "--repo must be OWNER/NAME"),
        (TOKEN, ["--repo", "acme/other"], "HTTP 404 Not Found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    repo: Path,
    api_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    token: str | None,
    args: list[str],
    message: str,
) -> None:
    if token is None:
        monkeypatch.delenv("GITHUB_TOKEN")
    else:
        monkeypatch.setenv("GITHUB_TOKEN", token)
    assert main(["drift", str(repo), "--api-url", api_url, *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
