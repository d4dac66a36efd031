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
SAMPLE_REPO = KIT_ROOT / "kit_tests" / "fixtures" / "template" / "sample-repo"
PR_EVENT = KIT_ROOT / "kit_tests" / "fixtures" / "pr" / "pull_request.opened.json"

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


# One pre-commit store per pytest-xdist worker, kept between runs. After a run with two workers
# sharing one store, a hook environment was found half-built (install state written, `ruff` and
# `python` missing from its bin/), and every later run failed; separate stores keep them apart.
_PRE_COMMIT_HOME = Path(
    os.environ.get("PRE_COMMIT_HOME")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pre-commit"
)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("NOX")}
    env.update(GIT_IDENTITY)
    env["NO_COLOR"] = "1"
    if _WORKER:
        env["PRE_COMMIT_HOME"] = str(
            _PRE_COMMIT_HOME.with_name(f"{_PRE_COMMIT_HOME.name}-{_WORKER}")
        )
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


def copy_kit(destination: Path, version: str | None = "1.0.0") -> Path:
    """A git copy of the kit's work tree, released as VERSION like a real release (or, with
    version=None, left as a plain clone has it: commits, no tag)."""
    shutil.copytree(KIT_ROOT, destination, ignore=_IGNORED)
    git(destination, "init", "-q")
    commit_all(destination, "kit work tree")
    if version is not None:
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
    source: str | Path,
    destination: Path,
    *,
    ref: str | None = None,
    skip_tasks: bool = False,
    **values: str | bool,
) -> subprocess.CompletedProcess[str]:
    """`copier copy --trust --defaults [--vcs-ref REF] SOURCE DESTINATION` with only VALUES given.

    govkit_source is never given: it must default to where the template came from."""
    flags = ["--skip-tasks"] if skip_tasks else []
    flags += ["--vcs-ref", ref] if ref else []
    destination.mkdir(parents=True, exist_ok=True)
    return copier(
        "copy",
        "--trust",
        "--defaults",
        "--quiet",
        *flags,
        *answers(**values),
        str(source),
        destination,
        cwd=destination.parent,
    )


def run_gate(repo: Path, *sessions: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The stamped repository's own `nox` (every default session unless SESSIONS)."""
    selected = ["-s", *sessions] if sessions else []
    return run(
        [sys.executable, "-m", "nox", "--no-color", *selected], repo, timeout=900, check=check
    )


def run_hooks(repo: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` on a feature branch (the default branch refuses commits)."""
    git(repo, "switch", "-q", "-c", "hooks-check")
    return run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"], repo, timeout=900, check=check
    )


def govkit(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The kit's own govkit, as a newcomer would run it in the stamped repository."""
    return run([sys.executable, "-m", "govkit.cli", *args], cwd, check=check)


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ROOT except git's own folder."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.strip()


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit's work tree as a git repository released as v1.0.0 (`nox -s release`)."""
    return copy_kit(tmp_path_factory.mktemp("kit") / "govkit")


@pytest.fixture(scope="session")
def untagged_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit as a plain clone has it today: commits, no tag."""
    return copy_kit(tmp_path_factory.mktemp("kit-untagged") / "govkit", version=None)


def existing_repository(
    repo: Path, branch: str = "main", readme: str | None = "# Existing project\n", **extra: str
) -> dict[str, str]:
    """The sample repository (its own code, a README) as a git repo on BRANCH; its digest."""
    shutil.copytree(SAMPLE_REPO, repo)
    if readme is not None:
        (repo / "README.md").write_text(readme)
    for name, text in extra.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "init", "-q", "-b", branch)
    commit_all(repo, "the team's own code")
    return tree_digest(repo)


def adopt(kit: Path, repo: Path) -> dict[str, str]:
    """The sample repository, without a README, adopts the kit; its files' digest before."""
    before = existing_repository(repo, readme=None)
    stamp(kit, repo, kind="governance")
    return before


@pytest.mark.parametrize("kind", ["service", "governance"])
@pytest.mark.parametrize("source", ["tag, local path", "untagged, git+file URL"])
def test_defaults_only_give_a_green_repository(
    kit: Path, untagged_kit: Path, tmp_path: Path, kind: str, source: str
) -> None:
    """`copier copy --trust --defaults SOURCE DEST`: the stamped repository's own nox and its
    pre-commit hooks pass, with nothing but the kind given; govkit comes from SOURCE itself."""
    tagged = source.startswith("tag")
    origin: str | Path = kit if tagged else f"git+file://{untagged_kit}"
    repo = tmp_path / "acme-orders"
    before: dict[str, str] = {}
    if kind == "governance":
        before = existing_repository(repo)

    if kind == "governance":
        stamp(origin, repo, kind="governance")
    else:
        stamp(origin, repo)

    recorded = (repo / ".copier-answers.yml").read_text()
    assert recorded.startswith("# Changes here will be overwritten by Copier")
    assert "project_name: acme-orders" in recorded  # defaulted from the folder's name
    pin = "v1.0.0" if tagged else head(untagged_kit)
    requirement = f"govkit @ git+file://{kit if tagged else untagged_kit}@{pin}"
    if kind == "service":
        assert requirement in (repo / "pyproject.toml").read_text()
        assert (repo / "uv.lock").is_file()  # the `uv lock` task resolved govkit from SOURCE
        contract = json.loads((repo / "contracts" / "openapi.json").read_text())
        assert contract["info"]["title"] == "acme-orders"  # exported by the stamped service
        assert "/health/ready" in contract["paths"]
        git(repo, "init", "-q", "-b", "main")
    else:
        assert requirement in (repo / "gate-requirements.txt").read_text()
        after = tree_digest(repo)
        assert {path: after.get(path) for path in before} == before  # nothing overwritten
        assert "kept_files:\n- .gitignore\n- README.md\n" in recorded
    commit_all(repo, "stamp")

    # The whole gate once per kind (from the tag); the untagged source stamps the same files but
    # for the pin, so it runs the session that installs govkit from that pin and runs it.
    sessions: tuple[str, ...] = ("secrets", "workflows", "check")
    if kind == "service":
        sessions = ("lint", "typecheck", "tests", "migrations", "contracts", *sessions)
    gate = run_gate(repo) if tagged else run_gate(repo, "check")
    for session in sessions if tagged else ("check",):
        assert f"Session {session} was successful" in gate.stderr, gate.stderr[-3000:]
    assert git(repo, "status", "--porcelain").stdout == ""  # the gate wrote nothing tracked
    if kind == "service" and tagged:  # a contract the service no longer serves turns it red
        contract_file = repo / "contracts" / "openapi.json"
        changed = json.loads(contract_file.read_text())
        changed["paths"]["/health/gone"] = changed["paths"]["/health/live"]
        contract_file.write_text(json.dumps(changed))
        red = run([sys.executable, "-m", "nox", "-R", "-s", "contracts"], repo, check=False)
        assert red.returncode != 0
        assert "[api-path-removed-without-deprecation] GET /health/gone" in red.stdout + red.stderr
        git(repo, "checkout", "--", "contracts/openapi.json")
    if tagged:
        assert installed_version(repo, "check") == "govkit 1.0.0"  # the version is the release tag
    if kind == "governance":  # the pull request contract, as the stamped pr-contract job runs it
        body = repo.parent / "body.md"
        body.write_text(json.loads(PR_EVENT.read_text())["pull_request"]["body"])
        contract = [sys.executable, "-m", "nox", "--no-color", "-s", "pr-contract", "--"]
        run([*contract, "--body-file", body, "--label", "source:ai-assisted"], repo)
        body.write_text("Closes #1\n")
        refused = run([*contract, "--body-file", body], repo, check=False)
        assert refused.returncode != 0
        assert "section `## Scope` is missing" in refused.stdout

    hooks = run_hooks(repo)
    assert "merge-conflicts" not in hooks.stdout or "Passed" in hooks.stdout
    assert "Failed" not in hooks.stdout


def test_the_service_wheel_ships_its_migrations(kit: Path, tmp_path: Path) -> None:
    """The stamped service has the reference app's shape: Alembic inside the package."""
    repo = tmp_path / "acme-orders"
    stamp(kit, repo, skip_tasks=True)
    migrations = repo / "src" / "acme_orders" / "migrations"
    assert (migrations / "alembic.ini").is_file()
    assert (migrations / "env.py").is_file()
    assert sorted(p.name for p in (migrations / "versions").iterdir()) == ["0001_baseline.py"]
    assert not (repo / "migrations").exists()
    assert not (repo / "alembic.ini").exists()
    assert (
        "alembic: src/acme_orders/migrations" in (repo / "policies" / "migrations.md").read_text()
    )


ADOPTED_NOXFILE = '''import nox


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The team's own gate."""
    session.run("python3", "-c", "print('our tests pass')")
'''
ADOPTED_PRE_COMMIT = """repos:
  - repo: local
    hooks:
      - id: no-tabs
        name: no tab characters
        entry: "\\t"
        language: pygrep
        types: [python]
"""
ADOPTED_CONTRIBUTING = "# How we work\n\nBe kind; open small pull requests.\n"


def test_adoption_keeps_every_file_and_lists_what_to_merge(kit: Path, tmp_path: Path) -> None:
    """An existing repository on `master` with its own CONTRIBUTING.md, .pre-commit-config.yaml,
    noxfile.py and an old leaked credential: the documented adoption overwrites nothing, leaves it
    green, and `govkit check` names what each kept file lacks."""
    from govkit.secrets.fakes import builtin_fakes

    old_leak = builtin_fakes()[0]
    repo = tmp_path / "legacy"
    before = existing_repository(
        repo,
        branch="master",
        **{
            "CONTRIBUTING.md": ADOPTED_CONTRIBUTING,
            ".pre-commit-config.yaml": ADOPTED_PRE_COMMIT,
            "noxfile.py": ADOPTED_NOXFILE,
            "deploy/old.env": f"TOKEN={old_leak.value}\n",
        },
    )

    preview = copier(
        "copy",
        "--trust",
        "--defaults",
        "--pretend",
        *answers(kind="governance"),
        kit,
        repo,
        cwd=tmp_path,
    )
    assert tree_digest(repo) == before  # --pretend writes nothing
    assert "CONTRIBUTING.md" in preview.stderr
    stamp(kit, repo, kind="governance")

    after = tree_digest(repo)
    assert {path: after.get(path) for path in before} == before  # every file kept byte for byte
    added = set(after) - set(before)
    assert {
        "CODEOWNERS",
        ".github/workflows/ci.yml",
        "docs/secrets.md",
        "gate-requirements.txt",
    } <= added
    recorded = (repo / ".copier-answers.yml").read_text()
    kept = [".gitignore", ".pre-commit-config.yaml", "CONTRIBUTING.md", "README.md", "noxfile.py"]
    assert "kept_files:\n" + "".join(f"- {name}\n" for name in kept) in recorded
    assert "default_branch: master" in recorded  # the repository's branch, not main
    assert "branches: [master]" in (repo / ".github" / "workflows" / "ci.yml").read_text()
    # The old leak is recorded at adoption, listed for review; the secrets gate starts green.
    assert "deploy/old.env" in (repo / ".secrets.baseline").read_text()
    assert "file: deploy/old.env, line: 1" in (repo / "docs" / "secrets.md").read_text()
    commit_all(repo, "adopt the governance kit")

    assert "our tests pass" in run_gate(repo).stdout  # the team's own gate, still green
    assert "Failed" not in run_hooks(repo).stdout  # and its own hooks
    assert (
        "nothing outside .secrets.baseline; 1 recorded at adoption"
        in govkit("secrets", "scan", cwd=repo).stdout
    )

    listed = govkit("check", ".", "--ignore", "CH104,MG101", cwd=repo)  # green: todos only
    for check_id, missing in [
        ("CTB101", "CONTRIBUTING.md does not say the local hooks (`pre-commit install`)"),
        ("SEC101", ".pre-commit-config.yaml has no secrets hook"),
        ("MRG102", ".pre-commit-config.yaml does not run govkit's conflict check"),
        ("GH108", "jobs.secrets runs `nox -s secrets`"),
    ]:
        assert f"todo {check_id}" in listed.stdout, listed.stdout
        assert missing in listed.stdout, listed.stdout
    assert " 0 failed, " in listed.stdout


def adopted_at_v1(kit: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A clone of the kit (to release v2 from) and a repository that adopted it at v1.0.0."""
    kit_clone = tmp_path / "govkit"
    git(tmp_path, "clone", "-q", str(kit), str(kit_clone))
    repo = tmp_path / "sample"
    existing_repository(repo)
    stamp(kit_clone, repo, kind="governance")
    commit_all(repo, "adopt the governance kit at v1")
    return kit_clone, repo


def release_v2(kit_clone: Path, template: str, old: str, new: str) -> None:
    path = kit_clone / "template" / template
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    commit_all(kit_clone, "kit v2: a template change")
    release(kit_clone, "2.0.0", f"template/{template}: {new.strip()}")


KIT_LINE = (
    "Run the sessions for what you touched (`nox -l` lists them all), or every gate with `nox`:"
)


def test_update_keeps_local_edits_and_brings_template_changes(kit: Path, tmp_path: Path) -> None:
    """Stamp at v1, edit locally, release v2 of the kit, `copier update`: both survive."""
    kit_clone, repo = adopted_at_v1(kit, tmp_path)
    contributing = repo / "CONTRIBUTING.md"
    local_line = "Local rule: every pull request names a reviewer from the on-call rota."
    contributing.write_text(contributing.read_text() + f"\n{local_line}\n")
    commit_all(repo, "a local edit to a stamped file")
    kit_line = "Kit v2: run `nox -s check` before asking for review."
    release_v2(kit_clone, "CONTRIBUTING.md.jinja", "## Set up\n", f"## Set up\n\n{kit_line}\n")
    changelog = (kit_clone / "CHANGELOG.md").read_text()
    assert changelog.index("## [2.0.0]") < changelog.index("## [1.0.0]")
    assert not list((kit_clone / "changelog.d").glob("*.changed.md"))  # fragments gathered
    assert copier("check-update", "--quiet", cwd=repo, check=False).returncode == 2

    copier("update", "--trust", "--defaults", "--conflict", "inline", cwd=repo)

    text = contributing.read_text()
    assert local_line in text
    assert kit_line in text
    assert (repo / "README.md").read_text() == "# Existing project\n"  # kept, also on update
    assert govkit("check", ".", "--select", "MRG101", cwd=repo).returncode == 0
    assert "_commit: v2.0.0" in (repo / ".copier-answers.yml").read_text()
    assert "@v2.0.0" in (repo / "gate-requirements.txt").read_text()  # the govkit pin moved


def test_update_brings_a_reference_core_fix_to_a_stamped_service(kit: Path, tmp_path: Path) -> None:
    """A fix in the reference app's core, synced into the template (`nox -s template_sync`) and
    released, reaches a stamped service's `src/PACKAGE/core/` through `copier update`; the
    team's own files under `src/` stay theirs."""
    kit_clone = tmp_path / "govkit"
    git(tmp_path, "clone", "-q", str(kit), str(kit_clone))
    repo = tmp_path / "service"
    stamp(kit_clone, repo, kind="service", skip_tasks=True)
    git(repo, "init", "-q")
    commit_all(repo, "stamp the service at v1")
    [package] = [p for p in (repo / "src").iterdir() if (p / "core").is_dir()]
    team_file = package / "settings.py"
    team_line = "# Team: our own settings go below."
    team_file.write_text(team_file.read_text() + f"\n{team_line}\n")
    commit_all(repo, "a setting of our own")

    core_time = kit_clone / "reference_app" / "src" / "pricing_service" / "core" / "time.py"
    fix = (
        "\n\ndef utc_midnight() -> datetime:\n"
        '    """Today 00:00 UTC (a core fix of kit v2)."""\n'
        "    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)\n"
    )
    core_time.write_text(core_time.read_text() + fix)
    run([sys.executable, "tools/template_sync.py", "--write"], kit_clone)
    commit_all(kit_clone, "core fix, synced into the template")
    git(kit_clone, "tag", "-a", "v2.0.0", "-m", "2.0.0")

    copier("update", "--trust", "--defaults", "--skip-tasks", cwd=repo)

    stamped = (package / "core" / "time.py").read_text()
    assert "def utc_midnight() -> datetime:" in stamped
    assert stamped.endswith(fix)
    assert team_line in team_file.read_text()  # src/ outside core/ is the team's
    assert "_commit: v2.0.0" in (repo / ".copier-answers.yml").read_text()


def test_an_update_conflict_turns_the_gate_red_and_names_the_file(
    kit: Path, tmp_path: Path
) -> None:
    """The team and the kit changed the same line: `copier update` exits 0 with markers, and the
    stamped gate (`nox -s check`) and pre-commit refuse them, naming the file and line."""
    kit_clone, repo = adopted_at_v1(kit, tmp_path)
    contributing = repo / "CONTRIBUTING.md"
    contributing.write_text(contributing.read_text().replace(KIT_LINE, "Team: run `nox` first.", 1))
    commit_all(repo, "our wording")
    release_v2(
        kit_clone, "CONTRIBUTING.md.jinja", KIT_LINE, "Kit v2: run what you touched, or `nox`:"
    )

    copier("update", "--trust", "--defaults", cwd=repo)  # exit 0, markers written

    line = contributing.read_text().splitlines().index("<" * 7 + " before updating") + 1
    gate = run_gate(repo, "check", check=False)
    assert gate.returncode != 0
    assert f"CONTRIBUTING.md:{line}: {'<' * 7} before updating" in gate.stdout + gate.stderr
    hooks = run_hooks(repo, check=False)
    assert hooks.returncode != 0
    assert f"CONTRIBUTING.md:{line}:" in hooks.stdout

    git(repo, "reset", "-q", "--hard")  # the same update, leaving .rej files instead
    git(repo, "clean", "-q", "-f", "-d", "-e", ".nox")
    copier("update", "--trust", "--defaults", "--conflict", "rej", cwd=repo)
    assert (repo / "CONTRIBUTING.md.rej").is_file()
    found = govkit("check", ".", "--select", "MRG101", cwd=repo, check=False)
    assert found.returncode == 1
    assert "CONTRIBUTING.md.rej: a hunk `copier update` could not apply" in found.stdout


def render_default(question: str, **context: object) -> str:
    """A question's default from copier.yml, rendered the way Copier renders it."""
    import yaml
    from jinja2.sandbox import SandboxedEnvironment

    spec = yaml.safe_load((KIT_ROOT / "copier.yml").read_text())[question]
    env = SandboxedEnvironment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])
    return env.from_string(spec["default"]).render(**context)


@pytest.mark.parametrize(
    ("src_path", "expected"),
    [
        ("git+https://git.example.com/acme/govkit", "git+https://git.example.com/acme/govkit"),
        ("https://github.com/acme/govkit.git", "git+https://github.com/acme/govkit.git"),
        ("gh:acme/govkit", "git+https://github.com/acme/govkit"),
        ("gl:acme/govkit", "git+https://gitlab.com/acme/govkit"),
        ("git@github.com:acme/govkit.git", "git+ssh://git@github.com/acme/govkit.git"),
        ("ssh://git@host/acme/govkit", "git+ssh://git@host/acme/govkit"),
        ("git+file:///srv/kits/govkit", "git+file:///srv/kits/govkit"),
        ("kits/govkit", "git+file://{cwd}/kits/govkit"),
    ],
)
def test_govkit_source_defaults_to_where_the_template_came_from(
    src_path: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rendered = render_default("govkit_source", _copier_answers={"_src_path": src_path})
    assert rendered == expected.format(cwd=tmp_path)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("ref: refs/heads/master\n", "master"),
        ("ref: refs/heads/release/2.x\n", "release/2.x"),
        ("0123abcd" * 5 + "\n", "main"),
        (None, "main"),
    ],
)
def test_default_branch_follows_the_destinations_branch(
    tmp_path: Path, head: str | None, expected: str
) -> None:
    import yaml

    if head is not None:
        (tmp_path / ".git").mkdir()
        (tmp_path / ".git" / "HEAD").write_text(head)
    external = {"git_head": yaml.safe_load(head) if head else {}}
    rendered = render_default(
        "default_branch", _copier_conf={"dst_path": tmp_path}, _external_data=external
    )
    assert rendered == expected


@pytest.mark.parametrize(
    ("commit", "expected"),
    [
        ("v1.2.0", "v1.2.0"),
        ("1.2", "1.2"),
        ("9956726", "FULL"),  # a short hash, all digits
        ("v1.2.0-3-gabc1234", "FULL"),  # commits after a tag
    ],
)
def test_the_pin_is_the_release_tag_or_the_full_commit(commit: str, expected: str) -> None:
    full = "9956726846d9ea9b90b42ccb56f1de09411b2753"  # pragma: allowlist secret (a commit id)
    rendered = render_default("kit_ref", _commit=commit, _copier_conf={"vcs_ref_hash": full})
    assert rendered == (full if expected == "FULL" else expected)


def test_kept_files_candidates_are_what_governance_stamps(kit: Path, tmp_path: Path) -> None:
    """Every file a governance stamp writes can be kept at adoption, and nothing else."""
    import yaml

    repo = tmp_path / "empty"  # with the kit on GitHub, so code-scanning.yml is stamped too
    stamp(
        kit,
        repo,
        skip_tasks=True,
        kind="governance",
        govkit_source="git+https://github.com/acme/govkit",
    )
    stamped = set(tree_digest(repo)) - {".copier-answers.yml"}
    for name in stamped:
        (repo / name).write_text("the team's own\n")
    listed = render_default("kept_files", kind="governance", _copier_conf={"dst_path": repo})
    assert set(yaml.safe_load(listed)) == stamped
    skip_lines = yaml.safe_load((KIT_ROOT / "copier.yml").read_text())["_skip_if_exists"]
    assert sum("kept_files[" in line for line in skip_lines) >= len(stamped)  # one per file


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
    stamp(kit, first, skip_tasks=True, kind=kind, has_frontend=True, adr_date="2026-11-26")
    stamp(kit, second, skip_tasks=True, kind=kind, has_frontend=True, adr_date="2026-11-26")
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
    # The gate is green; the audit reports only what --defaults left as stamped: the runbook
    # skeleton's TODO(team) and the example owners (@acme/...) in CODEOWNERS.
    assert {r["ruleId"] for r in report["runs"][0]["results"]} == {"RB105", "OWN106"}

    (repo / "CODEOWNERS").unlink()
    commit_all(repo, "drop CODEOWNERS")
    red = run(gates, tmp_path, check=False)
    assert red.returncode != 0
    assert "FAIL OWN101" in red.stdout
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert "OWN101" in {result["ruleId"] for result in results}  # written before the gates ran
