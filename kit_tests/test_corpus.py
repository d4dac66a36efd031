"""The corpus runner (tools/corpus.py, `nox -s audit_corpus`) on a tiny synthetic corpus.

The real corpus needs fetched upstream copies, which the default gates never see; these tests
build an upstream repository in a temporary folder, "fetch" it as a bare clone, and run the
runner's every step on it: the trimmed snapshot, the matching rule, the scores, the failures.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools import corpus
from tools.corpus import Label

WORKFLOW = """\
name: ci
on: pull_request
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - run: pytest
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def entry_data(commit: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "tiny",
        "repo": "someone/tiny",
        "commit": commit,
        "license": "MIT",
        "snapshot": {
            "keep": ["README.md", ".github/**", "src/**"],
            "drop": ["src/tiny/_vendor/**"],
            "kept": {"files": 3},
        },
        "profile": {"kind": "library"},
        "true_problems": [
            {"kind": "action-unpinned", "file": ".github/workflows/ci.yml", "line": 9},
        ],
        "non_problems": [{"kind": "print-in-app", "file": "src/tiny/_vendor/"}],
    }
    data.update(changes)
    return data


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Path, str]:
    """A fetched copy, as `fetch` leaves it: MIRROR/someone+tiny/repo, a bare git dir."""
    work = tmp_path / "upstream"
    files = {
        "README.md": "# tiny\n\n```sh\npip install tiny\n```\n",
        ".github/workflows/ci.yml": WORKFLOW,
        "src/tiny/__init__.py": "VALUE = 1\n",
        "src/tiny/_vendor/six.py": "print('vendored')\n",
        "tests/test_tiny.py": "def test_value() -> None:\n    assert True\n",
    }
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    git(tmp_path, "init", "-q", str(work))
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "tiny")
    mirror = tmp_path / "mirror"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(mirror / "someone+tiny" / "repo"))
    return mirror, git(work, "rev-parse", "HEAD").strip()


def write_corpus(folder: Path, *entries: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for data in entries:
        (folder / f"{data['name']}.yml").write_text(yaml.safe_dump(data))
    names = [data["name"] for data in entries]
    ranking = {
        "maturity_rank": [{"rank": i + 1, "name": n} for i, n in enumerate(names)],
        "repo_review_rank": [{"rank": i + 1, "name": n} for i, n in enumerate(names)],
    }
    (folder / "RANKING.yml").write_text(yaml.safe_dump(ranking))
    return folder


def report(*checks: dict[str, Any], score: int = 50) -> dict[str, Any]:
    return {"score": score, "adoption": 10, "checks": list(checks)}


def check(kind: str, *findings: dict[str, Any], status: str = "fail") -> dict[str, Any]:
    return {"id": "X101", "status": status, "kinds": [kind], "findings": list(findings)}


def test_globs_follow_the_corpus_readme() -> None:
    assert corpus.glob_regex("src/**").match("src/a/b.py")
    assert corpus.glob_regex("**/conftest.py").match("conftest.py")
    assert corpus.glob_regex("**/conftest.py").match("a/b/conftest.py")
    assert corpus.glob_regex("docs/*.md").match("docs/index.md")
    assert not corpus.glob_regex("docs/*.md").match("docs/api/index.md")
    assert not corpus.glob_regex("README.md").match("docs/README.md")


def test_spearman_is_exact_with_ties() -> None:
    assert corpus.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert corpus.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # scipy.stats.spearmanr([1, 2, 2, 3], [1, 2, 3, 4]).statistic
    assert corpus.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)
    assert corpus.ranks([5, 1, 5, 3]) == [3.5, 1.0, 3.5, 2.0]


def test_a_true_problem_is_reported_at_its_file_within_two_lines() -> None:
    label = Label("action-unpinned", ".github/workflows/ci.yml", 10)
    at = {"path": ".github/workflows/ci.yml", "line": 12, "message": "pin it"}
    assert corpus.reported(label, report(check("action-unpinned", at)))
    assert not corpus.reported(label, report(check("action-unpinned", {**at, "line": 13})))
    assert not corpus.reported(label, report(check("action-unpinned", {**at, "line": None})))
    assert not corpus.reported(label, report(check("action-unpinned", {**at, "path": "x.yml"})))
    assert not corpus.reported(label, report(check("no-timeout", at)))
    for status in ("pass", "skip", "ignored"):
        assert not corpus.reported(label, report(check("action-unpinned", at, status=status)))
    whole_file = Label("workflow-permissions", ".github/workflows/ci.yml")
    assert corpus.reported(whole_file, report(check("workflow-permissions", at)))


def test_a_miss_says_what_the_audit_said_about_the_kind() -> None:
    at = {"path": "ci.yml", "line": 12, "message": "pin it"}
    skipped = {
        **check("no-timeout", status="skip"),
        "id": "GH106",
        "message": "requires GH100\nmore",
    }
    both = report(check("action-unpinned", at, {"path": None}), skipped)
    assert corpus.said(both, "action-unpinned") == "X101 fails at (no path):-, ci.yml:12"
    assert corpus.said(both, "no-timeout") == "GH106 skip: requires GH100"
    assert corpus.said(both, "no-ci") == "no check reports this kind"


def test_repository_and_folder_labels() -> None:
    nowhere = {"path": None, "line": None, "message": "no CI at all"}
    assert corpus.reported(Label("no-ci", "."), report(check("no-ci", nowhere)))
    assert corpus.reported(Label("no-ci"), report(check("no-ci", {"path": "a.py", "line": 1})))
    assert not corpus.reported(Label("no-ci", "ci.yml"), report(check("no-ci", nowhere)))
    inside = {"path": "docs_src/tutorial/app.py", "line": 3, "message": "print"}
    folder = Label("print-in-app", "docs_src/")
    assert corpus.violation(folder, report(check("print-in-app", inside))) is not None
    assert (
        corpus.violation(folder, report(check("print-in-app", {**inside, "path": "a.py"}))) is None
    )


def test_a_finding_without_a_path_violates_every_non_problem_of_its_kind() -> None:
    label = Label("no-migration-tool", "project/migrations/")
    found = corpus.violation(label, report(check("no-migration-tool", {"message": "no Alembic"})))
    assert found is not None
    assert found["check"] == "X101"


def test_the_snapshot_keeps_the_globs_outside_the_repository(
    upstream: tuple[Path, str], tmp_path: Path
) -> None:
    mirror, commit = upstream
    entry = corpus.load_entry(write_corpus(tmp_path / "c", entry_data(commit)) / "tiny.yml")
    seen: list[list[str]] = []

    def audit(root: Path) -> dict[str, Any]:
        assert corpus.ROOT not in root.parents  # fetched code never lands in this repository
        seen.append(
            sorted(
                str(p.relative_to(root))
                for p in root.rglob("*")
                if ".git" not in p.parts and p.is_file()
            )
        )
        assert (root / ".git").is_dir()  # a work tree, as a clone is
        finding = {"path": ".github/workflows/ci.yml", "line": 9, "message": "pin it"}
        return report(check("action-unpinned", finding), score=70)

    summary = corpus.run_corpus([entry], mirror, {"maturity": ["tiny"]}, audit=audit)
    assert seen == [[".github/workflows/ci.yml", "README.md", "src/tiny/__init__.py"]]
    assert summary.failures == []
    assert (summary.reported, summary.total_true, summary.violated) == (1, 1, 0)
    assert summary.recall == 1.0
    assert summary.precision == 1.0


def test_misses_and_violations_fail_one_line_each(
    upstream: tuple[Path, str], tmp_path: Path
) -> None:
    mirror, commit = upstream
    entry = corpus.load_entry(write_corpus(tmp_path / "c", entry_data(commit)) / "tiny.yml")
    vendored = {"path": "src/tiny/_vendor/six.py", "line": 1, "message": "print()"}

    summary = corpus.run_corpus(
        [entry], mirror, {}, audit=lambda root: report(check("print-in-app", vendored))
    )
    assert summary.failures == [
        "tiny: MISSED action-unpinned at .github/workflows/ci.yml:9 (no check reports this kind)",
        "tiny: VIOLATED non-problem print-in-app at src/tiny/_vendor/ by "
        "X101 at src/tiny/_vendor/six.py:1: print()",
    ]
    assert summary.precision == 0.0
    assert corpus.per_kind(summary.results)["print-in-app"] == {
        "reported": 0,
        "true": 0,
        "violated": 1,
        "non": 1,
    }


def test_an_ordering_below_the_threshold_fails(upstream: tuple[Path, str], tmp_path: Path) -> None:
    mirror, commit = upstream
    folder = write_corpus(
        tmp_path / "c",
        *(
            entry_data(commit, name=name, true_problems=[], non_problems=[])
            for name in ("a", "b", "c")
        ),
    )
    entries = corpus.load_entries(folder)
    scores = {"a": 10, "b": 50, "c": 90}  # the most mature entry scores lowest

    summary = corpus.run_corpus(
        entries,
        mirror,
        corpus.load_ranking(folder),
        audit=lambda root: report(score=scores[root.name]),
    )
    assert summary.rho == {"maturity": pytest.approx(-1.0), "repo_review": pytest.approx(-1.0)}
    assert len(summary.failures) == 1
    assert summary.failures[0].startswith("Spearman rho -1.00 < 0.8 between the health scores")


def test_a_missing_fetched_copy_fails_naming_what_to_fetch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(tmp_path / "c", entry_data("0" * 40))
    code = corpus.main(["--corpus", str(folder), "--mirror", str(tmp_path / "none")])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "no fetched copy of someone/tiny" in err[0]
    assert "fetch github:someone/tiny" in err[0]


def test_a_missing_commit_or_a_changed_file_count_fails(
    upstream: tuple[Path, str], tmp_path: Path
) -> None:
    mirror, commit = upstream
    gone = entry_data("1" * 40, name="gone")
    grown = entry_data(commit, name="grown", snapshot={"keep": ["**"], "kept": {"files": 3}})
    entries = corpus.load_entries(write_corpus(tmp_path / "c", gone, grown))

    summary = corpus.run_corpus(entries, mirror, {}, audit=lambda root: report())
    assert summary.failures == [
        f"gone: commit {'1' * 40} is not in {mirror}/someone+tiny/repo: "
        "fetch github:someone/tiny again (the labels are pinned to that commit)",
        "grown: the globs keep 5 files, the entry says snapshot.kept.files 3",
    ]


def test_the_cli_end_to_end_on_the_synthetic_corpus(
    upstream: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`govkit audit --format json` really runs on the snapshot, and meets both labels."""
    mirror, commit = upstream
    folder = write_corpus(tmp_path / "c", entry_data(commit))
    out_json, out_md = tmp_path / "out.json", tmp_path / "out.md"
    args = ["--corpus", folder, "--mirror", mirror, "--json", out_json, "--markdown", out_md]
    code = corpus.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith("tiny ")
    assert "recall    " in captured.out
    results = json.loads(out_json.read_text())
    (entry,) = results["entries"]
    assert isinstance(entry["score"], int)
    assert isinstance(entry["adoption"], int)
    # The unpinned checkout is found at its line; the vendored print is not the project's.
    assert (entry["true_reported"], entry["true_total"]) == (1, 1)
    assert (entry["non_violated"], entry["non_total"]) == (0, 1)
    assert results["failures"] == []
    assert captured.err == ""
    assert code == 0
    table = out_md.read_text()
    assert "| `tiny` (someone/tiny) | library | 1/1 | 0/1 |" in table
    assert "- recall: 1/1 = 1.000" in table
