"""`nox -s release` (tools/release.py): tags and CHANGELOG.md agree, or the release is refused."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from kit_tests.test_template import commit_all, git, run

ROOT = Path(__file__).resolve().parents[1]
PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # towncrier


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the kit's changelog setup and one fragment."""
    target = tmp_path / "kit"
    (target / "changelog.d").mkdir(parents=True)
    for rel in ("pyproject.toml", "CHANGELOG.md", "changelog.d/README.md"):
        shutil.copy(ROOT / rel, target / rel)
    (target / "changelog.d" / "7.added.md").write_text("A first feature.\n")
    git(target, "init", "-q")
    commit_all(target, "start")
    return target


def release(repo: Path, *args: str) -> tuple[int, str]:
    result = run(
        [sys.executable, ROOT / "tools" / "release.py", "--root", repo, *args],
        repo,
        check=False,
        env={"PATH": PATH},
    )
    return result.returncode, result.stdout + result.stderr


def test_cut_then_check(repo: Path) -> None:
    code, out = release(repo, "1.0.0")
    assert code == 0, out
    assert "Publish it: git push origin HEAD v1.0.0" in out
    assert git(repo, "cat-file", "-t", "v1.0.0").stdout.strip() == "tag"  # annotated
    assert git(repo, "log", "-1", "--format=%s").stdout.strip() == "Release 1.0.0"
    changelog = (repo / "CHANGELOG.md").read_text()
    assert "## [1.0.0] - " in changelog
    assert "- A first feature. (#7)" in changelog
    assert not (repo / "changelog.d" / "7.added.md").exists()
    assert release(repo) == (
        0,
        "release: tags and CHANGELOG.md agree (latest release: v1.0.0); 0 fragment(s) waiting "
        "in changelog.d/\n",
    )


@pytest.mark.parametrize(
    ("setup", "version", "expected"),
    [
        ("none", "1.0", "the version must be MAJOR.MINOR.PATCH (e.g. 1.3.0), not '1.0'"),
        ("released", "0.9.0", "0.9.0 is not newer than the latest release v1.0.0"),
        ("released", "1.0.0", "v1.0.0 is already released"),
        ("released", "1.1.0", "nothing to release: changelog.d/ has no fragments"),
        ("dirty", "1.0.0", "the work tree has uncommitted changes"),
        ("bad-fragment", "1.0.0", "changelog.d/7.feature.md: name it <issue>.<type>.md"),
        ("lightweight-tag", "1.0.0", "tag v0.1.0 is a lightweight tag"),
        ("tag-without-notes", "1.0.0", "tag v0.2.0 has no section in CHANGELOG.md"),
        ("notes-without-tag", "1.0.0", "CHANGELOG.md has a section [0.3.0] but there is no tag"),
    ],
)
def test_refused_with_one_line_per_problem(
    repo: Path, setup: str, version: str, expected: str
) -> None:
    if setup == "released":
        assert release(repo, "1.0.0")[0] == 0
    elif setup == "dirty":
        (repo / "CHANGELOG.md").write_text((repo / "CHANGELOG.md").read_text() + "edit\n")
    elif setup == "bad-fragment":
        (repo / "changelog.d" / "7.added.md").rename(repo / "changelog.d" / "7.feature.md")
        commit_all(repo, "a misnamed fragment")
    elif setup == "lightweight-tag":
        git(repo, "tag", "v0.1.0")
    elif setup == "tag-without-notes":
        git(repo, "tag", "-a", "v0.2.0", "-m", "0.2.0")
    elif setup == "notes-without-tag":
        changelog = repo / "CHANGELOG.md"
        changelog.write_text(changelog.read_text() + "\n## [0.3.0] - 2026-01-01\n\n- Lost.\n")
        commit_all(repo, "notes for an untagged release")
    before = git(repo, "rev-parse", "HEAD").stdout
    code, out = release(repo, version)
    assert code == 1
    assert expected in out
    assert all(line.startswith("release: ") for line in out.splitlines())
    assert git(repo, "rev-parse", "HEAD").stdout == before  # nothing written
