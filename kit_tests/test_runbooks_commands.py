"""Every `pricing-service ...` or `govkit ...` command a runbook names exists: `--help` succeeds.

Commands are read from code only (fenced blocks and `inline code`), where prose cannot be
mistaken for a command; the words after the program name up to the first option or
placeholder are the (sub)command.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from govkit.checks import _markdown as md

ROOT = Path(__file__).resolve().parents[1]
RUNBOOKS = sorted(p for p in (ROOT / "runbooks").glob("*.md") if p.name != "README.md")
COMMAND = re.compile(
    r"(?:^|[\s`(;|&])(?P<program>pricing-service|govkit)(?![\w-])"
    r"(?P<words>(?:[ \t]+[a-z][a-z0-9_-]*)*)"
)


def code_of(text: str) -> list[str]:
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    return md.code_blocks(text) + inline


def commands_in(text: str) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for code in code_of(text):
        for match in COMMAND.finditer(code):
            words = tuple(match["words"].split())
            if words:  # a bare program name (a service or unit name) is not a command
                found.add((match["program"], *words))
    return found


def runbook_commands() -> list[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for path in RUNBOOKS:
        found |= commands_in(path.read_text(encoding="utf-8"))
    return sorted(found)


def test_the_runbooks_name_commands() -> None:
    assert RUNBOOKS
    assert ("pricing-service", "migrate") in runbook_commands()


def test_extraction_reads_code_not_prose() -> None:
    text = (
        "The pricing-service process restarts.\n"
        "Run `pricing-service worker` or `systemctl restart pricing-service`.\n"
        "```sh\njournalctl -u pricing-service -o cat\nuv run govkit runbooks check --quiet\n"
        "pricing-service migrate <revision>\n```\n"
    )
    assert commands_in(text) == {
        ("pricing-service", "worker"),
        ("govkit", "runbooks", "check"),
        ("pricing-service", "migrate"),
    }


@pytest.mark.parametrize("command", runbook_commands(), ids=" ".join)
def test_runbook_command_exists(command: tuple[str, ...]) -> None:
    program = Path(sys.executable).parent / command[0]
    result = subprocess.run(
        [str(program), *command[1:], "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"`{' '.join(command)} --help` failed:\n{result.stderr}"
