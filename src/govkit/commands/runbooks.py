"""``govkit runbooks check [PATH]``: the runbook checks (RB1xx) of ``govkit check``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govkit.checks import all_checks
from govkit.commands import check as check_command


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "runbooks", help="operational runbooks", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="runbook sections, and every alert linking to a runbook"
    )
    check.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    check.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    check.set_defaults(handler=handle_check)


def handle_check(args: argparse.Namespace) -> int:
    ids = [c.id() for c in all_checks() if c.__module__ == "govkit.checks.runbooks"]
    return check_command.handle(
        argparse.Namespace(path=args.path, select=",".join(ids), ignore="", quiet=args.quiet)
    )
