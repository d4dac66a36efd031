"""Files the audit cannot parse are reported by name and line (issue 20), never skipped."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from govkit.audit import run_audit
from govkit.checks.base import Status
from govkit.checks.parse_errors import unparseable_files
from govkit.repo import Repo

FIXTURES = Path(__file__).parent / "fixtures" / "audit"


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="PEP 758 syntax parses from 3.14 on")
def test_each_unparseable_file_is_named_at_the_line_where_parsing_stopped() -> None:
    found = {(f.path, f.line): f.message for f in unparseable_files(Repo(FIXTURES / "unparseable"))}
    assert set(found) == {
        ("app/handlers.py", 7),  # `except A, B:` is Python 3.14 syntax (PEP 758)
        (".github/workflows/ci.yml", 8),
        ("ruff.toml", 2),
        (".github/rulesets/main.json", 3),
    }
    python = found[("app/handlers.py", 7)]
    assert "Python 3.11 cannot parse app/handlers.py" in python
    assert "CH102 (print)" in python  # which checks did not examine it
    assert "requires Python >=3.14" in python
    assert "not valid YAML" in found[(".github/workflows/ci.yml", 8)]


def test_template_sources_jsonc_and_valid_files_are_not_reported() -> None:
    paths = {f.path for f in unparseable_files(Repo(FIXTURES / "unparseable"))}
    assert "{{cookiecutter.slug}}/pyproject.toml" not in paths  # Jinja until rendered
    assert "tsconfig.json" not in paths  # JSON with comments by convention
    assert not paths & {"app/ok.py", "pyproject.toml", ".github/labels.yml"}


def test_the_audit_fails_the_check_that_reports_them(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("def broken(:\n")
    outcome = next(r for r in run_audit(Repo(tmp_path)).results if r.check.id() == "PRS101")
    assert outcome.status is Status.FAIL
    assert [(f.path, f.line) for f in outcome.findings] == [("main.py", 1)]
    (tmp_path / "main.py").write_text("def fine() -> None: ...\n")
    outcome = next(r for r in run_audit(Repo(tmp_path)).results if r.check.id() == "PRS101")
    assert outcome.status is Status.PASS
