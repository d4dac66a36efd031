"""CH108: a README command naming a module, script, nox session, make target or npm script the
repository lacks is reported at its line; installed packages, placeholders and files the reader
creates are never judged."""

from __future__ import annotations

import shutil
from pathlib import Path

from govkit.checks import _readme
from kit_tests.check_support import audit_one

FIXTURE = Path(__file__).parent / "fixtures" / "audit" / "readme_stale"


def test_each_kind_of_stale_command_is_reported_at_its_line(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    status, where = audit_one(tmp_path, "CH108", {})
    assert status == "fail"
    # the first block's eight commands; none of the second block's
    assert where == [("README.md", line) for line in range(6, 14)]


def test_rst_literal_blocks_and_part_readmes_are_read(tmp_path: Path) -> None:
    files = {
        "README.rst": "Shop\n====\n\nRun it::\n\n    python -m shop.cli\n",
        "src/shop/__init__.py": "",
        "api/pyproject.toml": "[project]\nname = 'api'\n",
        "api/README.md": "# API\n\n`uvicorn api_app.main:app`\n",
        "api/api_app/__init__.py": "",
        "web/package.json": "{}\n",
    }
    assert audit_one(tmp_path, "CH108", files) == (
        "fail",
        [("README.rst", 6), ("api/README.md", 3)],
    )


def test_a_makefile_it_cannot_read_statically_is_not_judged(tmp_path: Path) -> None:
    files = {
        "README.md": "```\nmake release\n```\n",
        "Makefile": "include common.mk\ntest:\n\tpytest\n",
    }
    assert audit_one(tmp_path, "CH108", files) == ("pass", [])


def test_code_lines_carry_the_document_s_line_numbers() -> None:
    text = "# T\n\n```sh\n$ make a\nmake b\n```\n\nThen `make c`.\n\n    make d\n"
    assert _readme.code_lines("README.md", text) == [
        (4, "$ make a"),
        (5, "make b"),
        (6, ""),
        (4, "make a"),
        (8, "make c"),
    ]
    assert (10, "    make d") in _readme.code_lines("README.txt", text)
