""".pre-commit-config.yaml: the hooks the issue asks for, pinned to uv.lock, and a real refusal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from govkit.secrets.fakes import FakeSecret, builtin_fakes, govkit_fakes

ROOT = Path(__file__).parents[1]
CONFIG: dict[str, Any] = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
HOOKS: dict[str, dict[str, Any]] = {
    hook["id"]: hook for repo in CONFIG["repos"] for hook in repo["hooks"]
}
# The "done when": AWS key, GitHub token, Slack token, private key, github_pat_ token.
REFUSED = [f for f in builtin_fakes() if f.name != "slack-webhook"] + [
    f for f in govkit_fakes() if f.name == "github-fine-grained-token"
]


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    # The workspace's own packages may have a dynamic version (govkit's comes from git tags).
    return {package["name"]: package.get("version", "") for package in lock["package"]}


def test_every_required_hook_is_configured() -> None:
    assert set(HOOKS) >= {
        "ruff-check",
        "ruff-format",
        "secrets",
        "merge-conflicts",
        "check-github-workflows",
        "actionlint",
        "zizmor",
        "trailing-whitespace",
        "end-of-file-fixer",
        "check-merge-conflict",
        "check-added-large-files",
        "no-commit-to-branch",
    }
    assert HOOKS["no-commit-to-branch"]["args"] == ["--branch", "main"]
    assert HOOKS["zizmor"]["entry"] == "zizmor --offline"
    assert "vendor.github-workflows" in HOOKS["check-github-workflows"]["entry"]


def test_hooks_install_from_pypi_only() -> None:
    assert {repo["repo"] for repo in CONFIG["repos"]} == {"local"}


def test_python_hooks_are_pinned_to_the_lock_file() -> None:
    locked = locked_versions()
    for hook_id, hook in HOOKS.items():
        if hook["language"] != "python":
            continue
        assert hook.get("additional_dependencies"), f"{hook_id} installs nothing"
        for requirement in hook["additional_dependencies"]:
            name, _, version = requirement.partition("==")
            assert version, f"{hook_id}: pin {name} with == (uv.lock has {locked.get(name)})"
            assert locked[name] == version, f"{hook_id}: {name}=={version}, uv.lock {locked[name]}"


def test_secrets_hook_is_the_same_command_as_the_nox_session() -> None:
    assert HOOKS["secrets"]["entry"] == "uv run --frozen govkit secrets scan"
    noxfile = (ROOT / "noxfile.py").read_text()
    assert re.search(r'session\.run\("govkit", "secrets", "scan"', noxfile)


def head(repo: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def hooked_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A git repo on a feature branch with this repository's secrets hook installed."""
    tmp_path = tmp_path_factory.mktemp("hooked")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        # The hook's `uv run` finds govkit in the environment running these tests.
        "UV_PROJECT": str(ROOT),
        "UV_PROJECT_ENVIRONMENT": sys.prefix,
        "UV_NO_SYNC": "1",
    }
    config = {"repos": [{"repo": "local", "hooks": [HOOKS["secrets"]]}]}
    (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "README.md").write_text("# demo\n")
    for command in (
        ["git", "init", "-q", "-b", "feature"],
        [sys.executable, "-m", "govkit.cli", "secrets", "baseline"],
        [sys.executable, "-m", "pre_commit", "install"],
        ["git", "add", "."],
        ["git", "commit", "-q", "-m", "clean start"],
    ):
        subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True)
    return tmp_path, env


@pytest.mark.parametrize("fake", REFUSED, ids=lambda f: f.name)
def test_commit_with_a_fake_secret_is_refused(
    hooked_repo: tuple[Path, dict[str, str]], fake: FakeSecret
) -> None:
    repo, env = hooked_repo
    (repo / "deploy.env").write_text(f"# staging\nexport CREDENTIAL={fake.value}\n")
    subprocess.run(["git", "add", "deploy.env"], cwd=repo, env=env, check=True)
    before = head(repo)
    commit = subprocess.run(
        ["git", "commit", "-m", "add deploy settings"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert commit.returncode != 0
    assert f"deploy.env:2: {fake.secret_type}" in commit.stdout + commit.stderr
    assert fake.value.splitlines()[0] not in commit.stdout + commit.stderr
    assert head(repo) == before  # nothing was committed
    subprocess.run(["git", "rm", "-q", "--cached", "deploy.env"], cwd=repo, env=env, check=True)


def test_clean_commit_passes_the_hook(hooked_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = hooked_repo
    (repo / "notes.md").write_text("nothing secret here\n")
    subprocess.run(["git", "add", "notes.md"], cwd=repo, env=env, check=True)
    commit = subprocess.run(
        ["git", "commit", "-m", "notes"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
