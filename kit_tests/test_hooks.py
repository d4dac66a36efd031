""".pre-commit-hooks.yaml: another repository uses govkit's hooks by `repo:` + `rev:`.

The kit is released as v1.0.0 in a temporary git copy (`nox -s release`), cloned, and a fixture
repository (kit_tests/fixtures/docs/good) runs the hooks from that local clone, offline from GitHub:
`pre-commit try-repo CLONE HOOK --ref v1.0.0` as docs/daily-use.md shows it, then the hooks named
in a `.pre-commit-config.yaml` (`pre-commit run`, and a real `git commit` with the hook installed).
pre-commit installs govkit from the tag into its own environment (`language: python`), as it
would from GitHub. `try-repo` builds that environment in a throw-away store every time, so it runs
once; the other tests share one store (PRE_COMMIT_HOME), where the environment is built once.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

from govkit.secrets.fakes import govkit_fakes
from kit_tests.test_template import commit_all, copy_kit, git, run

FIXTURE = Path(__file__).parent / "fixtures" / "docs" / "good"
HOOKS = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
TOKEN = next(f for f in govkit_fakes() if f.name == "github-fine-grained-token")
# Checks the fixture repository passes; the hook takes `govkit check` options as args.
FIXTURE_CHECKS = "OWN101,OWN102,PR101,ADR101,BP101,BP102,RB101"


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local clone of the kit released as v1.0.0: the `repo:` the fixture repository names."""
    base = tmp_path_factory.mktemp("hook-repo")
    kit = copy_kit(base / "govkit")
    git(base, "clone", "-q", str(kit), str(base / "govkit-clone"))
    return base / "govkit-clone"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One pre-commit store for the module: each hook environment is built once."""
    return {"PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The fixture repository as a git repository with an audited secrets baseline."""
    target = tmp_path / "service"
    shutil.copytree(FIXTURE, target)
    git(target, "init", "-q", "-b", "feature")
    run([sys.executable, "-m", "govkit.cli", "secrets", "baseline"], target)
    commit_all(target, "the team's repository")
    return target


def use_hooks(repo: Path, clone: Path, *hooks: dict[str, object]) -> None:
    """Name HOOKS of the kit's clone at v1.0.0 in REPO's pre-commit config, committed."""
    config = {"repos": [{"repo": str(clone), "rev": "v1.0.0", "hooks": list(hooks)}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    commit_all(repo, "use govkit's hooks")


def run_hook(repo: Path, home: dict[str, str], hook: str, *args: str) -> tuple[int, str]:
    result = run(
        [sys.executable, "-m", "pre_commit", "run", hook, *args], repo, check=False, env=home
    )
    return result.returncode, result.stdout + result.stderr


def test_the_hooks_file_offers_the_three_hooks() -> None:
    hooks = {hook["id"]: hook for hook in HOOKS}
    assert set(hooks) == {"govkit-secrets", "govkit-check", "govkit-conflict-markers"}
    assert all(hook["language"] == "python" for hook in hooks.values())
    assert hooks["govkit-secrets"]["entry"] == "govkit secrets scan"
    assert hooks["govkit-conflict-markers"]["entry"] == "govkit check . --select MRG101 --quiet"


def test_try_repo_runs_a_hook_from_the_tag(repo: Path, clone: Path) -> None:
    """The way docs/daily-use.md tries the hooks before adopting them."""
    try_repo: list[str | Path] = [sys.executable, "-m", "pre_commit", "try-repo", clone]
    hook = ["govkit-conflict-markers", "--ref", "v1.0.0", "--all-files"]
    result = run([*try_repo, *hook], repo, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "govkit MRG101" in result.stdout


def test_secrets_hook_passes_clean_files_and_refuses_a_token(
    repo: Path, clone: Path, home: dict[str, str]
) -> None:
    use_hooks(repo, clone, {"id": "govkit-secrets"})
    code, out = run_hook(repo, home, "govkit-secrets", "--all-files")
    assert code == 0, out
    (repo / "deploy.env").write_text(f"# staging\nexport GH_TOKEN={TOKEN.value}\n")
    git(repo, "add", "deploy.env")
    code, out = run_hook(repo, home, "govkit-secrets")  # the staged files, as on a commit
    assert code == 1, out
    assert f"deploy.env:2: {TOKEN.secret_type}" in out
    assert TOKEN.value not in out  # the finding names the place, never the secret


def test_a_commit_that_leaks_a_token_is_refused(
    repo: Path, clone: Path, home: dict[str, str]
) -> None:
    use_hooks(repo, clone, {"id": "govkit-secrets"})
    run([sys.executable, "-m", "pre_commit", "install"], repo, env=home)
    before = git(repo, "rev-parse", "HEAD").stdout

    (repo / "deploy.env").write_text(f"export GH_TOKEN={TOKEN.value}\n")
    git(repo, "add", "deploy.env")
    commit = run(["git", "commit", "-m", "deploy settings"], repo, check=False, env=home)

    assert commit.returncode != 0
    assert f"deploy.env:1: {TOKEN.secret_type}" in commit.stdout + commit.stderr
    assert git(repo, "rev-parse", "HEAD").stdout == before  # nothing was committed


def test_check_hook_runs_govkit_check_with_its_args(
    repo: Path, clone: Path, home: dict[str, str]
) -> None:
    use_hooks(repo, clone, {"id": "govkit-check", "args": ["--select", FIXTURE_CHECKS]})
    code, out = run_hook(repo, home, "govkit-check", "--all-files")
    assert code == 0, out
    (repo / "CODEOWNERS").unlink()
    code, out = run_hook(repo, home, "govkit-check", "--all-files")
    assert code == 1
    assert "FAIL OWN101" in out


def test_conflict_marker_hook_refuses_markers(
    repo: Path, clone: Path, home: dict[str, str]
) -> None:
    use_hooks(repo, clone, {"id": "govkit-conflict-markers"})
    code, out = run_hook(repo, home, "govkit-conflict-markers", "--all-files")
    assert code == 0, out
    (repo / "README.md").write_text(
        "# shop\n<<<<<<< before updating\nold line\n=======\nnew line\n>>>>>>> after updating\n"
    )
    git(repo, "add", "README.md")
    code, out = run_hook(repo, home, "govkit-conflict-markers", "--all-files")
    assert code == 1, out
    assert "MRG101" in out
    assert "README.md" in out
