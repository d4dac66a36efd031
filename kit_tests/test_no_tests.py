"""TST101: a repository with code and no test at all is reported once; tests where any runner
finds them (a testing/ folder, JS specs, Go tests, a testpaths folder) pass."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govkit.audit import run_audit
from govkit.repo import Repo
from kit_tests.check_support import audit_one

FIXTURES = Path(__file__).parent / "fixtures" / "audit"


def _tst101(root: Path) -> tuple[str, str, list[tuple[str | None, int | None]]]:
    [result] = run_audit(Repo(root), select=["TST101"]).results
    return result.status.value, result.message, [(f.path, f.line) for f in result.findings]


def test_configured_runner_vendored_and_docs_tests_are_no_tests() -> None:
    status, message, where = _tst101(FIXTURES / "tests_none")
    assert (status, where) == ("fail", [(None, None)])
    assert "pytest's testpaths names tests: empty" in message
    assert "tests/test_smoke.py" in message  # the fix for a Python repository


def test_a_testing_folder_is_tests() -> None:
    assert _tst101(FIXTURES / "tests_testing_folder")[0] == "pass"


@pytest.mark.parametrize(
    "test_file",
    [
        "pkg/tests/helpers.py",
        "test/unit/thing.py",
        "pkg/test_core.py",
        "pkg/core_test.py",
        "blog/tests.py",
        "conftest.py",
        "web/src/App.test.tsx",
        "web/src/app.spec.js",
        "web/src/__tests__/app.js",
        "web/cypress/e2e/login.cy.ts",
        "server/main_test.go",
        "suite/checks.py",  # named by testpaths below
    ],
)
def test_each_runner_s_tests_are_found(tmp_path: Path, test_file: str) -> None:
    files = {"pkg/core.py": "x = 1\n", test_file: "\n"}
    files["pytest.ini"] = "[pytest]\ntestpaths = suite\n"
    assert audit_one(tmp_path, "TST101", files) == ("pass", [])


def test_no_code_is_not_applicable_and_a_js_repository_gets_a_js_fix(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Notes\n")
    (tmp_path / "noxfile.py").write_text("import nox\n")  # tooling, as a governance repo has
    status, message, _ = _tst101(tmp_path)
    assert (status, message) == (
        "skip",
        "does not apply: no code of its own (tooling such as a noxfile is not)",
    )
    shutil.copytree(FIXTURES / "tests_none" / "web", tmp_path / "web")
    status, message, _ = _tst101(tmp_path)
    assert status == "fail"
    assert "vitest" in message
