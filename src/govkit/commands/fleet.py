"""``govkit fleet``: audit many repositories at once, and report on them as static HTML.

``fleet audit PATH... --out DIR`` (or ``--from FILE``) audits local clones in parallel, one
process per core, into ``DIR/<name>.json`` and ``DIR/index.json``; ``fleet report DIR`` writes
``DIR/index.html`` and a page per repository, with trends from the earlier runs kept in DIR.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkit.errors import UsageError


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fleet", help="audit many repositories and report on them", description=__doc__
    )
    commands = parser.add_subparsers(dest="fleet_command", metavar="COMMAND", required=True)
    audit = commands.add_parser(
        "audit", help="audit local clones in parallel into DIR (one JSON each + index.json)"
    )
    audit.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="repository roots")
    audit.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="a file listing repository roots, one a line (# comments; relative to FILE's folder)",
    )
    audit.add_argument("--out", type=Path, required=True, metavar="DIR", help="the fleet folder")
    audit.add_argument(
        "--jobs", type=int, metavar="N", help="processes to run (default: one per usable core)"
    )
    audit.set_defaults(handler=handle_audit)
    report = commands.add_parser(
        "report", help="write DIR/index.html and a page per repository (static, offline)"
    )
    report.add_argument("folder", type=Path, metavar="DIR", help="a folder `fleet audit` wrote")
    report.set_defaults(handler=handle_report)


def listed_paths(listing: Path) -> list[Path]:
    """The paths in LISTING, one a line; blank lines and # comments skipped."""
    try:
        text = listing.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read --from {listing}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--from {listing} is not UTF-8 text") from None
    paths = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            path = Path(entry).expanduser()
            paths.append(path if path.is_absolute() else listing.parent / path)
    return paths


def handle_audit(args: argparse.Namespace) -> int:
    from govkit.fleet.index import write_index  # jsonschema and the process pool, when used
    from govkit.fleet.run import audit_fleet

    paths = list(args.paths)
    if args.from_file is not None:
        paths += listed_paths(args.from_file)
    if not paths:
        raise UsageError("no repositories to audit: give PATH... or --from FILE")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs takes a number of processes, 1 or more")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is not a directory")
    try:
        index = audit_fleet(paths, args.out, jobs=args.jobs)
        target = write_index(args.out, index)
    except OSError as error:
        raise UsageError(f"cannot write to {args.out}: {error.strerror}") from None
    repos = index["repositories"]
    failed = [r for r in repos if r["status"] == "unauditable"]
    for repo in failed:
        sys.stderr.write(f"govkit fleet audit: {repo['path']}: {repo['reason']}\n")
    sys.stdout.write(f"audited {len(repos) - len(failed)} of {len(repos)} repositories: {target}\n")
    return 1 if failed else 0


def handle_report(args: argparse.Namespace) -> int:
    from govkit.report.html import write_fleet_report  # Jinja2 only for the command that needs it

    if not args.folder.is_dir():
        raise UsageError(f"{args.folder} is not a directory")
    try:
        target = write_fleet_report(args.folder)
    except ValueError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write the report into {args.folder}: {error.strerror}") from None
    sys.stdout.write(f"{target}\n")
    return 0
