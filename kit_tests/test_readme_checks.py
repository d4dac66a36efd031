"""CH105/CH106: READMEs in any format, their commands in any package manager, real file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.audit.snapshot import take_snapshot
from govkit.checks import Status
from govkit.checks import _readme as readme
from govkit.checks.code_health import CH105, CH106
from govkit.repo import Repo
from kit_tests.check_support import run

RST = """\
Pluggy
======

Install it::

    $ pip install pluggy

Run the tests:

.. code-block:: console

    tox -e py
"""
RST_LITERAL_ONLY = "Title\n=====\n\nSet up::\n\n    poetry install\n\nThat is all.\n"
ADOC = "= Thing\n\n[source,bash]\n----\nbun install\nbun run dev\n----\n"
TXT = "Thing\n\n    docker compose up --build\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("README.rst", RST),
        ("README.rst", RST_LITERAL_ONLY),
        ("README.adoc", ADOC),
        ("README.txt", TXT),
        ("README", TXT),
        ("readme.md", "# x\n\n```console\n$ uv run pytest\n```\n"),
        ("README.md", "# x\n\nRun `pdm run start` or `make test`.\n"),
    ],
)
def test_a_readme_in_any_format_with_a_command_passes(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    assert run(tmp_path, CH105) == (Status.PASS, "")
    assert take_snapshot(Repo(tmp_path)).readme.startswith(name)


def test_no_readme_and_a_readme_without_commands_fail(tmp_path: Path) -> None:
    status, message = run(tmp_path, CH105)
    assert status is Status.FAIL
    assert "No README" in message
    (tmp_path / "README.rst").write_text("Thing\n=====\n\nA library that does things.\n")
    status, message = run(tmp_path, CH105)
    assert status is Status.FAIL
    assert message.startswith("README.rst:1: README.rst shows no command")


def test_a_command_in_a_linked_document_counts(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# x\n\nSee [contributing](docs/CONTRIBUTING.md#setup).\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/CONTRIBUTING.md").write_text("```\nhatch run test\n```\n")
    assert run(tmp_path, CH105) == (Status.PASS, "")


@pytest.mark.parametrize(
    ("command", "need"),
    [
        ("uv run pytest", "test"),
        ("poetry install", "setup"),
        ("pdm install", "setup"),
        ("bun run dev", "run"),
        ("docker compose up -d", "run"),
        ("make test", "test"),
        ("uv run uvicorn app.main:app", "run"),
    ],
)
def test_commands_of_every_package_manager(command: str, need: str) -> None:
    assert need not in readme.gaps("README.md", f"```\n{command}\n```\n")


def test_frontend_readme_findings_name_files_that_exist(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web/package.json").write_text('{"dependencies": {"react": "18"}}')
    (tmp_path / "web/App.jsx").write_text("export default () => null;\n")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools/package.json").write_text('{"devDependencies": {"prettier": "3"}}')
    # no README in web/: nothing to name (the root README speaks for it)
    assert run(tmp_path, CH106) == (Status.PASS, "")
    (tmp_path / "web/README.md").write_text("# React + Vite\n\nThis template provides ...\n")
    [outcome_status, message] = run(tmp_path, CH106)
    assert outcome_status is Status.FAIL
    assert message.startswith("web/README.md:1: web/README.md is still the framework's template")
    assert "tools/" not in message


@pytest.mark.parametrize(
    "directive", [".. code:: bash", ".. code-block:: shell", ".. sourcecode::"]
)
def test_rst_code_directives_are_literal_blocks(directive: str) -> None:
    text = f"Build\n-----\n\n{directive}\n    :caption: build\n\n    make build\n\nDone.\n"
    assert readme._rst_literal_blocks(text) == [[(6, ""), (7, "make build"), (8, "")]]
