"""``govkit pr check [PATH]``: does a pull request keep the repository's PR contract?

In a ``pull_request`` workflow it reads the event GitHub writes to ``GITHUB_EVENT_PATH`` (never
the body pasted into a script); locally, ``--body-file FILE`` (``-`` for stdin) and ``--label``
describe the pull request. The contract comes from PATH's own ``.github/pull_request_template.md``
and ``.github/labels.yml``. One line per problem; exit 1 when there is any.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from govkit.checks.docs import PR_TEMPLATE_LOCATIONS
from govkit.errors import UsageError
from govkit.labels import LABELS_FILE
from govkit.pr import Contract, PullRequest, problems, template_labels


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "pr", help="the PR output contract on a real pull request", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="check a pull request's description and labels against the PR template",
        description=__doc__,
    )
    check.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    check.add_argument(
        "--event",
        type=Path,
        help="GitHub event payload (default: $GITHUB_EVENT_PATH when --body-file is not given)",
    )
    check.add_argument("--body-file", help="the pull request's description (`-` reads stdin)")
    check.add_argument(
        "--label", action="append", default=[], help="a label of the pull request (repeatable)"
    )
    check.set_defaults(handler=handle_check)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {what} {path}: {error.strerror}") from None


def contract(root: Path) -> tuple[Contract, str]:
    """The contract of the repository at ROOT, and the template it came from."""
    location = next((p for p in PR_TEMPLATE_LOCATIONS if (root / p).is_file()), None)
    if location is None:
        raise UsageError(
            f"{root} has no pull request template (.github/pull_request_template.md): "
            "the contract is read from it"
        )
    try:
        labels = yaml.safe_load(_read(root / LABELS_FILE, "the labels file"))
    except yaml.YAMLError as error:
        raise UsageError(f"{LABELS_FILE} is not valid YAML: {str(error).splitlines()[0]}") from None
    return Contract.from_template(
        _read(root / location, "the PR template"), template_labels(labels)
    ), location


def pull_request(args: argparse.Namespace) -> PullRequest:
    if args.body_file is not None:
        body = sys.stdin.read() if args.body_file == "-" else _read(Path(args.body_file), "body")
        return PullRequest(body=body, labels=tuple(args.label))
    if args.label:
        raise UsageError("--label describes a local pull request: give its --body-file too")
    event_path = args.event or os.environ.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise UsageError(
            "no pull request to check: run it in a pull_request workflow (GITHUB_EVENT_PATH) "
            "or pass --body-file FILE [--label NAME ...]"
        )
    try:
        event = json.loads(_read(Path(event_path), "the event payload"))
        return PullRequest.from_event(event)
    except ValueError as error:
        raise UsageError(f"{event_path}: {error}") from None


def handle_check(args: argparse.Namespace) -> int:
    if not args.path.is_dir():
        raise UsageError(f"{args.path} is not a directory")
    rules, location = contract(args.path)
    pull = pull_request(args)
    found = problems(rules, pull)
    name = f"pull request #{pull.number}" if pull.number is not None else "the pull request"
    if not found:
        sys.stdout.write(f"{name} keeps the contract of {location}\n")
        return 0
    sys.stdout.writelines(f"{line}\n" for line in found)
    sys.stdout.write(
        f"{len(found)} problem(s) with {name} (contract: {location}); edit its description "
        "or labels, then re-run this check\n"
    )
    return 1
