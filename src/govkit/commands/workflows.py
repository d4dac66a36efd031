"""``govkit workflows check [PATH]``: the GitHub workflow checks (GH1xx) only.

Same checks and output as ``govkit check PATH --select GH100,...``; ``nox -s workflows``
runs it after the schema, actionlint and zizmor.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govkit.checks import all_checks
from govkit.checks import workflows as workflow_checks
from govkit.commands import check as check_command


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "workflows", help="GitHub workflow checks", description=__doc__
    )
    commands = parser.add_subparsers(dest="workflows_command", metavar="SUBCOMMAND", required=True)
    check_parser = commands.add_parser(
        "check", help="run the workflow checks (hardening, nox sessions as CI jobs)"
    )
    check_parser.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    check_parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    check_parser.set_defaults(handler=handle_check)


def workflow_check_ids() -> list[str]:
    return [c.id() for c in all_checks() if c.__module__ == workflow_checks.__name__]


def handle_check(args: argparse.Namespace) -> int:
    select = ",".join(workflow_check_ids())
    return check_command.handle(
        argparse.Namespace(path=args.path, select=select, ignore="", quiet=args.quiet)
    )
