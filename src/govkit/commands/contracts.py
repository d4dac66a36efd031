"""``govkit contracts diff OLD NEW``: breaking changes between two OpenAPI documents;
``govkit contracts check CONTRACT EXPORTED [--update]``: the contract gate of a service."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govkit.contracts import (
    SpecError,
    diff,
    gate,
    has_breaking,
    load_spec,
    render_json,
    render_text,
)
from govkit.errors import UsageError


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "contracts", help="compare API contracts (OpenAPI)", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    diff_parser: argparse.ArgumentParser = actions.add_parser(
        "diff",
        help="list the changes from OLD to NEW; exit 1 on a breaking change",
        description="Compare two OpenAPI documents (JSON, or YAML by extension). One line per "
        "change, named with oasdiff's rule ids. Exit 1 when a change is breaking, 0 otherwise, "
        "2 when a document cannot be read.",
    )
    diff_parser.add_argument("old", type=Path, help="the committed (previous) contract")
    diff_parser.add_argument("new", type=Path, help="the candidate contract")
    diff_parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per change; json: breaking and non_breaking",
    )
    diff_parser.set_defaults(handler=handle_diff)
    check_parser: argparse.ArgumentParser = actions.add_parser(
        "check",
        help="the contract gate: the committed CONTRACT against the service's EXPORTED OpenAPI",
        description=gate.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check_parser.add_argument("contract", type=Path, help="the committed contract file")
    check_parser.add_argument(
        "exported", type=Path, help="the OpenAPI document the service exported just now"
    )
    check_parser.add_argument(
        "--update", action="store_true", help="rewrite CONTRACT as the exported document"
    )
    check_parser.set_defaults(handler=handle_check)


def handle_diff(args: argparse.Namespace) -> int:
    try:
        old, new = load_spec(args.old), load_spec(args.new)
        findings = diff(old, new, labels=(str(args.old), str(args.new)))
    except SpecError as error:
        raise UsageError(str(error)) from error
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(findings))
    return 1 if has_breaking(findings) else 0


def handle_check(args: argparse.Namespace) -> int:
    try:
        code, lines = gate.run(args.contract, load_spec(args.exported), update=args.update)
    except SpecError as error:
        raise UsageError(f"contract: {error}") from error
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return code
