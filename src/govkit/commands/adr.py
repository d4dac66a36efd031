"""``govkit adr``: architecture decision records.

``new "Title"`` writes the next numbered ADR from the template and adds it to the index;
``check [PATH]`` runs the ADR checks (ADR1xx) of ``govkit check``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from govkit.checks import all_checks
from govkit.checks.adr import ADR_DIR, FILE_NAME, INDEX, TEMPLATE, index_line
from govkit.commands import check as check_command
from govkit.errors import UsageError

_INDEX_ENTRY = re.compile(r"^[-*]\s+\[\d{4}\.")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "adr", help="architecture decision records", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    new = actions.add_parser("new", help="write the next numbered ADR from the template")
    new.add_argument("title", help='the decision, e.g. "Use PostgreSQL for jobs"')
    new.add_argument("--dir", type=Path, default=Path(ADR_DIR), help="the ADR folder")
    new.set_defaults(handler=handle_new)

    check = actions.add_parser("check", help="numbering, sections, status, links and index")
    check.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    check.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    check.set_defaults(handler=handle_check)


def handle_check(args: argparse.Namespace) -> int:
    ids = [c.id() for c in all_checks() if c.__module__ == "govkit.checks.adr"]
    return check_command.handle(
        argparse.Namespace(path=args.path, select=",".join(ids), ignore="", quiet=args.quiet)
    )


def slugify(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.lower()))


def handle_new(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    title = " ".join(args.title.split())
    slug = slugify(title)
    if not slug:
        raise UsageError("the title needs at least one letter or digit")
    try:
        template = (folder / TEMPLATE).read_text(encoding="utf-8")
    except OSError:
        raise UsageError(f"no template at {folder / TEMPLATE}") from None
    numbers = [int(m["number"]) for p in folder.iterdir() if (m := FILE_NAME.match(p.name))]
    number = max((n for n in numbers if n > 0), default=0) + 1
    name = f"{number:04d}-{slug}.md"
    body = template.split("\n", 1)[1] if "\n" in template else ""
    body = re.sub(r"<!--.*?-->\n*", "", body, flags=re.DOTALL)  # the template's instructions
    body = re.sub(r"^([-*]\s+Status:).*$", r"\1 proposed", body, count=1, flags=re.MULTILINE)
    body = re.sub(
        r"^([-*]\s+Date:).*$",
        rf"\g<1> {dt.datetime.now(dt.UTC).date().isoformat()}",
        body,
        count=1,
        flags=re.MULTILINE,
    )
    target = folder / name
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(f"# {number:04d}. {title}\n{body}")
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None
    _add_to_index(folder / INDEX, index_line(name, title))
    sys.stdout.write(f"{target}\n")
    return 0


def _add_to_index(index: Path, line: str) -> None:
    """Insert ``line`` after the last ADR entry of the index (or at its end)."""
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = ["# Architecture decision records", ""]
    except OSError as error:
        raise UsageError(f"cannot read {index}: {error.strerror}") from None
    entries = [i for i, text in enumerate(lines) if _INDEX_ENTRY.match(text)]
    position = entries[-1] + 1 if entries else len(lines)
    lines.insert(position, line)
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
