"""``govkit audit PATH``: score a repository against the kit's policies and plan its backlog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkit.audit import Audit, catalog, run_audit
from govkit.audit.backlog import render_backlog
from govkit.audit.formats import RENDERERS
from govkit.checks import all_checks, matches
from govkit.checks.selection import unknown_selectors
from govkit.errors import UsageError
from govkit.repo import Repo

# html renders through Jinja2 (govkit.report), imported only when asked for: the CLI's start-up
# stays light for the pre-commit hooks that run `govkit` on every commit.
FORMATS = [*RENDERERS, "html"]


def _render(audit: Audit, fmt: str) -> str:
    if fmt == "html":
        from govkit.report.html import render_audit_html

        return render_audit_html(audit)
    return RENDERERS[fmt](audit)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit", help="score a repository and write its 30/60/90 backlog", description=__doc__
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument(
        "--fail-under",
        type=int,
        metavar="SCORE",
        help="exit 1 when the score is below SCORE (0-100)",
    )
    parser.add_argument(
        "--select", default="", help="comma-separated check ids, id prefixes or families to run"
    )
    parser.add_argument(
        "--ignore",
        default="",
        help="comma-separated check ids, id prefixes or families to leave out of the scores",
    )
    parser.add_argument(
        "--list-checks",
        action="store_true",
        help="list the checks (with --format text, markdown or json) instead of auditing",
    )
    parser.add_argument(
        "--backlog",
        type=Path,
        metavar="FILE",
        help="write the failing checks as a Markdown 30/60/90 backlog",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of stdout",
    )
    parser.set_defaults(handler=handle)


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def handle(args: argparse.Namespace) -> int:
    if args.list_checks:
        return _list_checks(args)
    if not args.path.is_dir():
        raise UsageError(f"{args.path} is not a directory")
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError("--fail-under takes a score from 0 to 100")
    audit = run_audit(Repo(args.path), select=_ids(args.select), ignore=_ids(args.ignore))
    report = _render(audit, args.format)
    if args.output:
        _write(args.output, report)
    else:
        sys.stdout.write(report)
    if args.backlog:
        _write(args.backlog, render_backlog(audit))
    if args.fail_under is not None and audit.score < args.fail_under:
        sys.stderr.write(
            f"govkit audit: score {audit.score} is below --fail-under {args.fail_under}\n"
        )
        return 1
    return 0


def _list_checks(args: argparse.Namespace) -> int:
    if args.format not in catalog.RENDERERS:
        raise UsageError(
            f"--list-checks takes --format {', '.join(sorted(catalog.RENDERERS))}, not "
            f"{args.format}"
        )
    checks = sorted(all_checks(), key=lambda c: c.id())
    selectors = _ids(args.select)
    unknown = unknown_selectors(checks, selectors)
    if unknown:
        raise UsageError(f"unknown check id(s): {', '.join(unknown)}")
    if selectors:
        checks = [c for c in checks if any(matches(c, s) for s in selectors)]
    text = catalog.RENDERERS[args.format](checks)
    if args.output:
        _write(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _write(path: Path, text: str) -> None:
    """Write atomically: a partial report never replaces a good one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
