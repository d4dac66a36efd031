"""A repository with code and no automated tests at all (TST101, seed T08).

Tests are recognised by where every ecosystem's runner finds them, from file names alone: test
modules (`test_*.py`, `*_test.py`, Django's `tests.py`, `conftest.py`), JavaScript/TypeScript
specs (`*.test.ts`, `*.spec.js`, `*.cy.ts`, `__tests__/`), Go's `*_test.go`, Ruby's `*_spec.rb`,
code under a `tests/`, `test/` or `testing/` folder, and the folders pytest's `testpaths` names.
A runner's configuration alone is not a test: a `testpaths` naming a folder that does not exist
(a project that meant to write tests) is reported. Vendored code, documentation examples and a
template's Jinja-named folders are not the repository's tests.
"""

from __future__ import annotations

import configparser
import re

from govkit.checks.base import Applies, Check, Finding, register
from govkit.profile import Profile
from govkit.repo import Repo

_TEST_FILE = re.compile(
    r"^(?:test_\w+\.py|\w+_tests?\.py|tests\.py|conftest\.py|\w+_test\.go|\w+_spec\.rb"
    r"|[\w.-]+\.(?:test|spec|cy)\.[cm]?[jt]sx?)$"
)
_TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__"})
_CODE_SUFFIXES = (".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".rb", ".rs", ".java")

FIX_PYTHON = (
    "Add a tests/ folder with a first test of the code's main path, and run it in CI:\n"
    "    # tests/test_smoke.py\n"
    "    from yourpackage import main_function\n\n"
    "    def test_main_function_returns_a_result():\n"
    "        assert main_function() is not None\n\n"
    "    python -m pip install pytest && pytest"
)
FIX_JS = (
    "Add a first test beside the code and run it in CI, e.g. with Vitest:\n"
    "    // src/app.test.ts\n"
    '    import { expect, test } from "vitest";\n'
    '    import { main } from "./app";\n'
    '    test("main returns a result", () => expect(main()).toBeDefined());\n\n'
    "    npm install --save-dev vitest && npx vitest run"
)


def _testpaths(repo: Repo) -> list[str]:
    """The folders pytest's configuration names (pyproject.toml, pytest.ini, tox.ini, setup.cfg)."""
    paths: list[str] = []
    options = repo.pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    value = options.get("testpaths") if isinstance(options, dict) else None
    if isinstance(value, list):
        paths += [str(v) for v in value]
    elif isinstance(value, str):
        paths += value.split()
    for name, section in (
        ("pytest.ini", "pytest"),
        ("tox.ini", "pytest"),
        ("setup.cfg", "tool:pytest"),
    ):
        text = repo.text(name)
        if text is None or "testpaths" not in text:
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        paths += parser.get(section, "testpaths", fallback="").split()
    return [p.strip("/").removeprefix("./") for p in paths if p.strip("/.")]


def first_test_file(repo: Repo, profile: Profile) -> str | None:
    """The first file that shows the repository has tests, or None."""
    configured = tuple(f"{p}/" for p in _testpaths(repo))
    for rel in repo.files:
        if profile.not_own_code(rel) is not None:
            continue
        *folders, name = rel.split("/")
        if _TEST_FILE.match(name) or rel.startswith(configured):
            return rel
        if name.endswith(_CODE_SUFFIXES) and _TEST_DIRS.intersection(folders):
            return rel
    return None


@register
class TST101(Check):
    """The repository has automated tests (test files or a test folder)"""

    applies = Applies(needs=("code",))
    scope = "health"
    kinds = frozenset({"no-tests"})
    family = "ci"
    severity = "P0"
    effort = "M"
    ticket = "T08"

    def check(self, repo: Repo, profile: Profile) -> Finding | None:
        if first_test_file(repo, profile) is not None:
            return None
        configured = _testpaths(repo)
        said = f" (pytest's testpaths names {', '.join(configured)}: empty)" if configured else ""
        if profile.application_python_files:
            fix = FIX_PYTHON
        elif {"javascript", "typescript"} & profile.languages:
            fix = FIX_JS
        else:
            fix = "Add a first test of the code's main path with the language's runner "
            fix += "(`go test`, `cargo test`, ...) and run it in CI."
        return Finding(
            "No automated tests: no test file (test_*.py, *_test.py, *.test.ts, *.spec.js, ...) "
            f"and no tests/ folder in the repository's own code{said}.\n{fix}"
        )
