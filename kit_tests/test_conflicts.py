"""MRG101-MRG102: conflict markers and Copier .rej files fail the gate and the pre-commit hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govkit.checks import Status
from govkit.checks.conflicts import MRG101, MRG102
from govkit.cli import main
from kit_tests.check_support import run

ROOT = Path(__file__).resolve().parents[1]
# Built, never written at the start of a line here: this file must pass MRG101 itself.
OPEN, BASE, MID, CLOSE = "<" * 7, "|" * 7, "=" * 7, ">" * 7
INLINE_CONFLICT = "\n".join(
    [
        "# Contributing",
        "",
        "intro",
        f"{OPEN} before updating",
        "ours",
        MID,
        "theirs",
        f"{CLOSE} after updating",
        "",
    ]
)
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, check=check
    )


def repo_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    git(tmp_path, "init", "-q", "-b", "feature")
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    git(tmp_path, "add", "-A")
    return tmp_path


def test_inline_markers_fail_with_each_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_with(
        tmp_path,
        {
            "CONTRIBUTING.md": INLINE_CONFLICT,
            "src/app.py": "\n".join(
                [
                    "x = 1",
                    f"{OPEN} ours",
                    "a = 1",
                    f"{BASE} base",
                    "a = 0",
                    MID,
                    "a = 2",
                    f"{CLOSE} theirs",
                    "",
                ]
            ),
            "README.md": "# fine\n",
        },
    )

    code = main(["check", str(repo), "--select", "MRG101"])

    out = capsys.readouterr().out
    assert code == 1
    assert "CONTRIBUTING.md:4: <<<<<<< before updating" in out
    assert "CONTRIBUTING.md:6: =======" in out
    assert "CONTRIBUTING.md:8: >>>>>>> after updating" in out
    assert "src/app.py:2: <<<<<<< ours" in out
    assert "src/app.py:4: ||||||| base" in out
    assert "README.md" not in out


def test_rej_files_fail_tracked_or_not(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"noxfile.py.rej": "@@ -1 +1 @@\n-a\n+b\n"})
    (repo / "ci.yml.rej").write_text("@@ hunk @@\n")  # left by copier, never added

    status, message = run(repo, MRG101)

    assert status is Status.FAIL
    assert "noxfile.py.rej: a hunk `copier update` could not apply" in message
    assert "ci.yml.rej: a hunk `copier update` could not apply" in message


def test_lookalikes_pass(tmp_path: Path) -> None:
    """A Markdown heading underline, markers quoted inside a line, and binary files are fine."""
    repo = repo_with(
        tmp_path,
        {
            "docs/guide.md": f"Title\n{MID}\n\nCopier writes `{OPEN} before updating` markers.\n",
            "notes.txt": f"  {OPEN} indented, not a marker\n{OPEN}{OPEN} fourteen\n",
            "image.bin": b"\0\x01" + f"\n{OPEN} ours\n".encode(),
        },
    )
    assert run(repo, MRG101) == (Status.PASS, "")


def test_a_lone_closing_marker_fails(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {"a.txt": f"kept\n{CLOSE} after updating\n"})
    status, message = run(repo, MRG101)
    assert status is Status.FAIL
    assert "a.txt:2: >>>>>>> after updating" in message


def test_this_repository_has_no_conflicts() -> None:
    assert main(["check", str(ROOT), "--select", "MRG101,MRG102", "--quiet"]) == 0


# -- MRG102: the pre-commit hook ------------------------------------------------------------------


def test_mrg102_fails_without_the_hook_and_says_what_to_add(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {".pre-commit-config.yaml": "repos: []\n"})
    status, message = run(repo, MRG102)
    assert status is Status.FAIL
    assert "- id: govkit-conflict-markers" in message
    assert "check-merge-conflict looks only while git is merging" in message


def test_mrg102_accepts_a_local_hook_or_a_hook_with_args(tmp_path: Path) -> None:
    local = {
        "repos": [
            {"repo": "local", "hooks": [{"id": "x", "entry": "govkit check . --select MRG101"}]}
        ]
    }
    published = {
        "repos": [
            {
                "repo": "https://example.invalid/govkit",
                "rev": "v1",
                "hooks": [{"id": "govkit-conflict-markers"}],
            }
        ]
    }
    remote = {
        "repos": [
            {
                "repo": "https://example.invalid/govkit",
                "rev": "v1",
                "hooks": [{"id": "govkit-check", "args": ["--select", "MRG101"]}],
            }
        ]
    }
    for config in (local, remote, published):
        (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
        assert run(tmp_path, MRG102) == (Status.PASS, "")


def test_the_kits_hook_refuses_a_commit_with_markers(tmp_path: Path) -> None:
    """The stamped and the kit's `merge-conflicts` hook, run by pre-commit on `git commit`."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    [hook] = [h for h in hooks if h["id"] == "merge-conflicts"]
    env = {
        **GIT_ENV,
        "UV_PROJECT": str(ROOT),  # the hook's `uv run` finds govkit in this environment
        "UV_PROJECT_ENVIRONMENT": sys.prefix,
        "UV_NO_SYNC": "1",
    }
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    repo = repo_with(tmp_path, {".pre-commit-config.yaml": yaml.safe_dump(config)})
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )
    git(repo, "commit", "-q", "-m", "start")
    (repo / "CONTRIBUTING.md").write_text(INLINE_CONFLICT)
    git(repo, "add", "CONTRIBUTING.md")

    commit = subprocess.run(
        ["git", "commit", "-m", "update"], cwd=repo, env=env, capture_output=True, text=True
    )

    assert commit.returncode != 0
    assert "CONTRIBUTING.md:4: <<<<<<< before updating" in commit.stdout + commit.stderr
