"""``govkit check PATH``: run every repository check and fail on any failure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkit.checks import Status, all_checks, run_checks
from govkit.errors import UsageError
from govkit.repo import Repo

_MARK = {Status.PASS: "pass", Status.FAIL: "FAIL", Status.SKIP: "skip"}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check", help="run every repository check", description=__doc__
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    parser.add_argument("--select", default="", help="comma-separated check ids to run")
    parser.add_argument("--ignore", default="", help="comma-separated check ids to skip")
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    parser.set_defaults(handler=handle)


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def handle(args: argparse.Namespace) -> int:
    root: Path = args.path
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    checks = all_checks()
    known = {c.id() for c in checks}
    unknown = sorted(set(_ids(args.select) + _ids(args.ignore)) - known)
    if unknown:
        raise UsageError(f"unknown check id(s): {', '.join(unknown)}")
    outcomes = run_checks(Repo(root), checks, select=_ids(args.select), ignore=_ids(args.ignore))
    failed = 0
    for outcome in outcomes:
        if outcome.status is Status.FAIL:
            failed += 1
        if args.quiet and outcome.status is not Status.FAIL:
            continue
        line = f"{_MARK[outcome.status]:4} {outcome.check.id():8} {outcome.check.title()}"
        sys.stdout.write(line + "\n")
        if outcome.message:
            sys.stdout.write("".join(f"       {m}\n" for m in outcome.message.splitlines()))
    total = len(outcomes)
    sys.stdout.write(f"{total - failed} of {total} checks passed or skipped, {failed} failed\n")
    return 1 if failed else 0
