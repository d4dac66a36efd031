"""``govkit check PATH``: run every repository check and fail on any failure.

Files the repository had before it adopted the kit are kept by Copier and recorded as
``kept_files`` in its ``.copier-answers.yml``: a failing check that reads one of them (its
``files_expected``) is listed as ``todo``, what to merge by hand, and does not fail the run.
Drop a file from ``kept_files`` once it is merged, and its checks fail again.

A check ignored with a reason in ``[tool.govkit] ignore`` is listed as ``ign`` with the reason, as
``govkit audit`` lists it, and does not fail the run.

A check that reports only placeholder content (a runbook's ``TODO(team)``, the template's example
owners) is listed as ``todo`` too: a fresh stamp is green, and ``govkit audit`` counts it failed.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from pathlib import Path
from typing import Any

import yaml

from govkit.checks import Check, Status, all_checks, run_checks
from govkit.checks.selection import configured_ignores, unknown_selectors
from govkit.errors import UsageError
from govkit.repo import Repo

PLACEHOLDERS = frozenset({"placeholder-content"})
_MARK = {Status.PASS: "pass", Status.FAIL: "FAIL", Status.SKIP: "skip"}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check", help="run every repository check", description=__doc__
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    parser.add_argument(
        "--select", default="", help="comma-separated check ids, id prefixes or families to run"
    )
    parser.add_argument(
        "--ignore", default="", help="comma-separated check ids, id prefixes or families to skip"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    parser.set_defaults(handler=handle)


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def handle(args: argparse.Namespace) -> int:
    root: Path = args.path
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    checks = all_checks()
    unknown = unknown_selectors(checks, _ids(args.select) + _ids(args.ignore))
    if unknown:
        raise UsageError(f"unknown check id(s): {', '.join(unknown)}")
    kept = kept_at_adoption(root)
    repo = Repo(root)
    ignores = configured_ignores(repo, checks)
    outcomes = run_checks(repo, checks, select=_ids(args.select), ignore=_ids(args.ignore))
    failed = todo = ignored = placeholders = 0
    for outcome in outcomes:
        mark = _MARK[outcome.status]
        reason = ignores.get(outcome.check.id())
        if reason is not None:
            ignored += 1
            if not args.quiet:
                sys.stdout.write(
                    f"ign  {outcome.check.id():8} {outcome.check.title()}\n"
                    f"       ignored: {reason}\n"
                )
            continue
        if outcome.status is Status.FAIL and _reads_any(outcome.check, kept):
            mark = "todo"
            todo += 1
        elif outcome.status is Status.FAIL and outcome.check.kinds == PLACEHOLDERS:
            mark = "todo"  # text left as stamped: the team's to fill in, the audit counts it
            placeholders += 1
        elif outcome.status is Status.FAIL:
            failed += 1
        if args.quiet and outcome.status is not Status.FAIL:
            continue
        sys.stdout.write(f"{mark:4} {outcome.check.id():8} {outcome.check.title()}\n")
        if outcome.message:
            sys.stdout.write("".join(f"       {m}\n" for m in outcome.message.splitlines()))
    total = len(outcomes)
    passed = total - failed - todo - ignored - placeholders
    summary = f"{passed} of {total} checks passed or skipped, {failed} failed"
    if ignored:
        summary += f", {ignored} ignored with a reason ([tool.govkit] ignore)"
    if placeholders:
        summary += f", {placeholders} with placeholders left to fill in (todo)"
    if kept:
        summary += f", {todo} to merge by hand into the files kept at adoption ({', '.join(kept)})"
    sys.stdout.write(summary + "\n")
    return 1 if failed else 0


ANSWERS_FILE = ".copier-answers.yml"


def kept_at_adoption(root: Path) -> list[str]:
    """The `kept_files` Copier recorded when the repository adopted the kit (none if unreadable)."""
    try:
        answers = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    kept = answers.get("kept_files") if isinstance(answers, dict) else None
    return [f for f in kept if isinstance(f, str)] if isinstance(kept, list) else []


def _reads_any(check: type[Check], files: list[str]) -> bool:
    """Whether the check reads one of FILES (its files_expected may hold glob patterns)."""
    return any(fnmatch.fnmatchcase(f, pattern) for f in files for pattern in check.files_expected)
