"""`nox -s template`: the Copier template renders, its stamped repositories pass their own gate.

Helpers first (a tagged git copy of the kit, Copier runs, stamped gates), then the five cases of
issue 10.

Everything runs the real command lines (`copier`, `git`, `nox`) in subprocesses, the way a
newcomer following docs/template.md would, so the tests prove the documented commands work.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

KIT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_REPO = KIT_ROOT / "tests" / "fixtures" / "template" / "sample-repo"
PR_EVENT = KIT_ROOT / "tests" / "fixtures" / "pr" / "pull_request.opened.json"

# Never copied into the kit copy: environments, caches and build output.
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".nox",
    "node_modules",
    "__pycache__",
    "*.py[cod]",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".coverage*",
    "htmlcov",
    "var",
    "*.egg-info",
    "dist",
    "build",
)
# Variables of the calling environment that would leak into the stamped repository's tools.
_SCRUBBED = (
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "PYTHONPATH",
    "PYTHONHOME",
    "COVERAGE_FILE",
    "COVERAGE_PROCESS_START",
    "TEST_DATABASE_URL",
    "DATABASE_URL",
    "APP_ENV",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
)
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Template Test",
    "GIT_AUTHOR_EMAIL": "template-test@example.invalid",
    "GIT_COMMITTER_NAME": "Template Test",
    "GIT_COMMITTER_EMAIL": "template-test@example.invalid",
}


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("NOX")}
    env.update(GIT_IDENTITY)
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run(
    args: Sequence[str | Path],
    cwd: Path,
    *,
    check: bool = True,
    timeout: float = 600,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"`{' '.join(map(str, args))}` exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
        )
    return result


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        repo,
        check=check,
    )


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def release(kit: Path, version: str, note: str) -> None:
    """Cut a kit release the documented way (docs/releasing.md): a changelog fragment, then
    `nox -s release -- VERSION`, which writes CHANGELOG.md, commits and tags vVERSION."""
    fragment = f"+kit-{version.replace('.', '-')}.changed.md"
    (kit / "changelog.d" / fragment).write_text(f"{note}\n")
    commit_all(kit, f"changelog for {version}")
    run([sys.executable, "-m", "nox", "--no-color", "-s", "release", "--", version], kit)


def copy_kit(destination: Path, version: str = "1.0.0") -> Path:
    """A git copy of the kit's work tree, released as VERSION like a real release."""
    shutil.copytree(KIT_ROOT, destination, ignore=_IGNORED)
    git(destination, "init", "-q")
    commit_all(destination, "kit work tree")
    release(destination, version, f"The kit as of this test run, released as {version}.")
    return destination


def installed_version(repo: Path, session: str) -> str:
    """`govkit --version` as installed by the stamped repository's nox SESSION."""
    return run([repo / ".nox" / session / "bin" / "govkit", "--version"], repo).stdout.strip()


def copier(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "copier", *args], cwd, check=check)


def answers(**values: str | bool) -> list[str]:
    """`-d key=value` arguments for copier."""
    pairs: list[str] = []
    for key, value in values.items():
        text = ("true" if value else "false") if isinstance(value, bool) else value
        pairs += ["-d", f"{key}={text}"]
    return pairs


def stamp(
    kit: Path,
    destination: Path,
    *,
    ref: str = "v1.0.0",
    skip_tasks: bool = False,
    **values: str | bool,
) -> subprocess.CompletedProcess[str]:
    """`copier copy --trust --defaults` of the kit at REF, govkit installed from the kit copy."""
    values.setdefault("govkit_source", f"git+file://{kit}")
    values.setdefault("adr_date", "2026-11-26")
    flags = ["--skip-tasks"] if skip_tasks else []
    destination.mkdir(parents=True, exist_ok=True)
    return copier(
        "copy",
        "--trust",
        "--defaults",
        "--quiet",
        "--vcs-ref",
        ref,
        *flags,
        *answers(**values),
        kit,
        destination,
        cwd=destination.parent,
    )


def run_gate(repo: Path, *sessions: str) -> subprocess.CompletedProcess[str]:
    """The stamped repository's own `nox` (every default session unless SESSIONS)."""
    selected = ["-s", *sessions] if sessions else []
    return run([sys.executable, "-m", "nox", "--no-color", *selected], repo, timeout=900)


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ROOT except git's own folder."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's work tree as a git repository released as v1.0.0 (`nox -s release`)."""
    return copy_kit(tmp_path_factory.mktemp("kit") / "govkit")


def test_service_is_green_without_edits(kit: Path, tmp_path: Path) -> None:
    """(1) kind=service into an empty folder: `git init` and the stamped gate passes."""
    repo = tmp_path / "acme-orders"
    stamp(kit, repo, kind="service")
    answers_file = (repo / ".copier-answers.yml").read_text()
    assert answers_file.startswith("# Changes here will be overwritten by Copier")
    assert "project_name: acme-orders" in answers_file  # defaulted from the folder's name
    assert "_commit: v1.0.0" in answers_file
    assert (repo / "src" / "acme_orders" / "main.py").is_file()
    assert (repo / "uv.lock").is_file()  # pinned at stamp time by the `uv lock` task
    pyproject = (repo / "pyproject.toml").read_text()
    assert f"govkit @ git+file://{kit}@v1.0.0" in pyproject
    git(repo, "init", "-q")
    commit_all(repo, "stamp")

    gate = run_gate(repo)

    for session in ("lint", "typecheck", "tests", "migrations", "secrets", "workflows", "check"):
        assert f"Session {session} was successful" in gate.stderr, gate.stderr[-3000:]
    assert git(repo, "status", "--porcelain").stdout == ""  # the gate wrote nothing tracked
    assert installed_version(repo, "check") == "govkit 1.0.0"  # the version is the release tag


def adopt(kit: Path, repo: Path) -> dict[str, str]:
    """Copy the sample repository to REPO as a git repo; stamp kind=governance into it."""
    shutil.copytree(SAMPLE_REPO, repo)
    git(repo, "init", "-q")
    commit_all(repo, "the team's own code")
    before = tree_digest(repo)
    stamp(kit, repo, kind="governance")
    return before


def test_governance_leaves_code_untouched_and_is_green(kit: Path, tmp_path: Path) -> None:
    """(2) kind=governance into an existing repository: its files byte for byte, gate green."""
    repo = tmp_path / "sample"
    before = adopt(kit, repo)

    after = tree_digest(repo)
    assert {path: after.get(path) for path in before} == before
    added = set(after) - set(before)
    assert {"noxfile.py", "CODEOWNERS", ".github/workflows/ci.yml", ".secrets.baseline"} <= added
    assert not any(p.startswith(("src/", "tests/", "migrations/")) for p in added)
    requirements = (repo / "gate-requirements.txt").read_text()
    assert f"govkit @ git+file://{kit}@v1.0.0" in requirements
    commit_all(repo, "adopt the governance kit")

    gate = run_gate(repo)

    for session in ("secrets", "workflows", "check"):
        assert f"Session {session} was successful" in gate.stderr, gate.stderr[-3000:]
    assert installed_version(repo, "check") == "govkit 1.0.0"
    # The pull request contract, as the stamped pr-contract job runs it (a local body here).
    body = repo.parent / "body.md"
    body.write_text(json.loads(PR_EVENT.read_text())["pull_request"]["body"])
    contract = [sys.executable, "-m", "nox", "--no-color", "-s", "pr-contract", "--"]
    run([*contract, "--body-file", body, "--label", "source:ai-assisted"], repo)
    body.write_text("Closes #1\n")
    refused = run([*contract, "--body-file", body], repo, check=False)
    assert refused.returncode != 0
    assert "section `## Scope` is missing" in refused.stdout


def test_adoption_reports_conflicts_instead_of_overwriting(kit: Path, tmp_path: Path) -> None:
    """A file the repository already has is kept (README) or reported (CONTRIBUTING.md)."""
    repo = tmp_path / "sample"
    shutil.copytree(SAMPLE_REPO, repo)
    (repo / "README.md").write_text("# sample\n\nOur own README.\n")
    (repo / "CONTRIBUTING.md").write_text("# How we work\n")
    git(repo, "init", "-q")
    commit_all(repo, "the team's own files")
    before = tree_digest(repo)

    result = copier(
        "copy",
        "--trust",
        "--defaults",
        "--vcs-ref",
        "v1.0.0",
        *answers(kind="governance"),
        kit,
        repo,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode != 0
    assert "conflict" in result.stderr
    assert "CONTRIBUTING.md" in result.stderr
    assert "--overwrite" in result.stderr  # how to accept the kit's version on purpose
    after = tree_digest(repo)
    assert {path: after.get(path) for path in before} == before


def test_update_keeps_local_edits_and_brings_template_changes(kit: Path, tmp_path: Path) -> None:
    """(3) stamp at v1, edit locally, release v2 of the kit, `copier update`: both survive."""
    kit_clone = tmp_path / "govkit"
    git(tmp_path, "clone", "-q", str(kit), str(kit_clone))
    repo = tmp_path / "sample"
    adopt(kit_clone, repo)
    commit_all(repo, "adopt the governance kit at v1")
    contributing = repo / "CONTRIBUTING.md"
    local_line = "Local rule: every pull request names a reviewer from the on-call rota."
    contributing.write_text(contributing.read_text() + f"\n{local_line}\n")
    commit_all(repo, "a local edit to a stamped file")

    template_file = kit_clone / "template" / "CONTRIBUTING.md.jinja"
    kit_line = "Kit v2: run `nox -s check` before asking for review."
    template_file.write_text(
        template_file.read_text().replace("## Set up\n", f"## Set up\n\n{kit_line}\n", 1)
    )
    commit_all(kit_clone, "kit v2: a template change")
    release(kit_clone, "2.0.0", "CONTRIBUTING.md asks for `nox -s check` before review.")
    changelog = (kit_clone / "CHANGELOG.md").read_text()
    assert changelog.index("## [2.0.0]") < changelog.index("## [1.0.0]")
    assert not list((kit_clone / "changelog.d").glob("*.changed.md"))  # fragments gathered

    assert copier("check-update", "--quiet", cwd=repo, check=False).returncode == 2

    copier("update", "--trust", "--defaults", "--conflict", "inline", cwd=repo)

    text = contributing.read_text()
    assert local_line in text
    assert kit_line in text
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(repo).parts:
            assert path.suffix != ".rej", path
            content = path.read_text(errors="replace")
            assert "<<<<<<<" not in content, path
            assert ">>>>>>>" not in content, path
    assert "_commit: v2.0.0" in (repo / ".copier-answers.yml").read_text()
    assert "@v2.0.0" in (repo / "gate-requirements.txt").read_text()  # the govkit pin moved


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"slug": "Bad_Slug"}, "slug must be lower case letters, digits and single dashes"),
        ({"owner_fallback": "acme/platform"}, "owner_fallback must be a GitHub @user or @org/team"),
        ({"owner_platform": "@acme/"}, "owner_platform must be a GitHub @user or @org/team"),
        ({"python_version": "3.9"}, "python_version must be 3.11 or newer"),
        ({"default_branch": "bad..branch"}, "default_branch must be a valid git branch name"),
        ({"github_owner": "-acme"}, "github_owner must be a GitHub user or organisation name"),
        ({"govkit_source": "govkit==1.0"}, "govkit_source must be a git URL without a ref"),
        ({"description": 'say "hi"'}, "description must be one line without double quotes"),
        ({"adr_date": "26/11/2026"}, "adr_date must be a date written YYYY-MM-DD"),
        ({"kind": "library"}, "Invalid choice for 'kind': 'library' is not in"),
    ],
)
def test_bad_answers_are_rejected_with_the_validators_message(
    kit: Path, tmp_path: Path, answer: dict[str, str], message: str
) -> None:
    """(4) a bad answer stops `copier copy` with the validator's message; nothing is written."""
    destination = tmp_path / "acme-orders"
    result = copier(
        "copy",
        "--trust",
        "--defaults",
        "--vcs-ref",
        "v1.0.0",
        *answers(**answer),
        kit,
        destination,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split()), result.stderr[-2000:]
    assert not (destination / ".copier-answers.yml").exists()


@pytest.mark.parametrize("kind", ["service", "governance"])
def test_rendering_twice_gives_identical_bytes(kit: Path, tmp_path: Path, kind: str) -> None:
    """(5) the same answers render the same bytes (no timestamps, no ordering noise)."""
    first, second = tmp_path / "one" / "acme-orders", tmp_path / "two" / "acme-orders"
    stamp(kit, first, skip_tasks=True, kind=kind, has_frontend=True)
    stamp(kit, second, skip_tasks=True, kind=kind, has_frontend=True)
    digest = tree_digest(first)
    assert len(digest) > 20
    assert digest == tree_digest(second)


def workflow_tools(repo: Path) -> None:
    """The stamped workflows pass the checks `nox -s workflows` runs (offline, as in CI)."""
    files = sorted(str(p) for p in (repo / ".github" / "workflows").glob("*.yml"))
    bindir = Path(sys.executable).parent
    run([bindir / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files], repo)
    run([bindir / "actionlint", *files], repo)
    run([bindir / "zizmor", "--offline", *files], repo)
    dependabot = repo / ".github" / "dependabot.yml"
    run([bindir / "check-jsonschema", "--builtin-schema", "vendor.dependabot", dependabot], repo)
    run([sys.executable, "-m", "govkit.cli", "workflows", "check", repo], repo)


def test_governance_repositories_are_offered_the_reusable_workflow(
    kit: Path, tmp_path: Path
) -> None:
    """kind=governance with the kit on GitHub: code-scanning.yml calls govkit.yml pinned by SHA."""
    repo = tmp_path / "sample"
    shutil.copytree(SAMPLE_REPO, repo)
    stamp(
        kit,
        repo,
        skip_tasks=True,
        kind="governance",
        govkit_source="git+https://github.com/acme/govkit",
    )
    release_sha = git(kit, "rev-parse", "v1.0.0^{commit}").stdout.strip()
    caller = (repo / ".github" / "workflows" / "code-scanning.yml").read_text()
    assert f"uses: acme/govkit/.github/workflows/govkit.yml@{release_sha} # v1.0.0" in caller
    workflow_tools(repo)

    declined = tmp_path / "declined"
    shutil.copytree(SAMPLE_REPO, declined)
    stamp(
        kit,
        declined,
        skip_tasks=True,
        kind="governance",
        code_scanning=False,
        govkit_source="git+https://github.com/acme/govkit",
    )
    assert not (declined / ".github" / "workflows" / "code-scanning.yml").exists()
    service = tmp_path / "service"
    stamp(
        kit,
        service,
        skip_tasks=True,
        kind="service",
        govkit_source="git+https://github.com/acme/govkit",
    )
    assert not (service / ".github" / "workflows" / "code-scanning.yml").exists()


def test_the_reusable_workflows_session_gates_another_repository(kit: Path, tmp_path: Path) -> None:
    """What govkit.yml runs: `nox -f govkit/noxfile.py -s gates -- REPO --sarif F --ignore IDS`."""
    repo = tmp_path / "sample"
    adopt(kit, repo)
    commit_all(repo, "adopt the governance kit")
    sarif = tmp_path / "results" / "govkit.sarif"
    gates: list[str | Path] = [sys.executable, "-m", "nox", "--no-color", "-f", kit / "noxfile.py"]
    gates += ["-s", "gates"]
    gates += ["--", repo, "--sarif", sarif, "--ignore", "CH104,MG101"]

    green = run(gates, tmp_path)
    assert "Session gates was successful" in green.stderr
    report = json.loads(sarif.read_text())
    assert report["version"] == "2.1.0"
    assert report["runs"][0]["results"] == []

    (repo / "CODEOWNERS").unlink()
    commit_all(repo, "drop CODEOWNERS")
    red = run(gates, tmp_path, check=False)
    assert red.returncode != 0
    assert "FAIL OWN101" in red.stdout
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert "OWN101" in {result["ruleId"] for result in results}  # written before the gates ran
