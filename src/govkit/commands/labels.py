"""``govkit labels``: the label set as code.

``check [PATH]`` validates ``.github/labels.yml``; ``apply --repo OWNER/NAME`` creates and updates
labels on GitHub to match it (``--prune`` also deletes the others), and ``--verify`` only prints the
differences (exit 1 when there are any).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from govkit.commands import check as check_command
from govkit.errors import UsageError
from govkit.github import DEFAULT_API_URL, GitHubAPI, GitHubError, github_http_client
from govkit.labels import LABELS_FILE, Label, LabelsClient, parse_labels, plan

_REPO = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "labels", help="the label set as code (.github/labels.yml)", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate .github/labels.yml")
    check.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    check.set_defaults(handler=handle_check)
    apply = actions.add_parser(
        "apply",
        help="sync the labels to GitHub, or --verify them",
        description="Token from GITHUB_TOKEN.",
    )
    apply.add_argument("--repo", required=True, help="OWNER/NAME on GitHub")
    apply.add_argument("--file", type=Path, default=Path(LABELS_FILE), help="labels YAML file")
    apply.add_argument(
        "--verify",
        action="store_true",
        help="change nothing: print the differences (exit 1 if any)",
    )
    apply.add_argument("--prune", action="store_true", help="also delete labels not in the file")
    apply.add_argument("--api-url", default=DEFAULT_API_URL, help="GitHub REST API base URL")
    apply.set_defaults(handler=handle_apply)


def handle_check(args: argparse.Namespace) -> int:
    return check_command.handle(
        argparse.Namespace(path=args.path, select="LBL101", ignore="", quiet=False)
    )


def _load(path: Path) -> list[Label]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise UsageError(f"{path} is not valid YAML: {str(error).splitlines()[0]}") from None
    labels, problems = parse_labels(data)
    if problems:
        raise UsageError(f"{path}: {problems[0]} (run `govkit labels check` for every problem)")
    return labels


def handle_apply(args: argparse.Namespace) -> int:
    if not _REPO.match(args.repo):
        raise UsageError(f"--repo must be OWNER/NAME, not {args.repo!r}")
    labels = _load(args.file)
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageError(f"GITHUB_TOKEN is not set: export a token allowed to edit {args.repo}")
    wanted = {label.name.lower(): label for label in labels}
    try:
        with github_http_client(token, args.api_url) as http:
            client = LabelsClient(GitHubAPI(http), args.repo)
            changes = plan(labels, client.list(), prune=args.prune)
            for change in changes:
                sys.stdout.write(change.line() + "\n")
                if not args.verify:
                    client.apply(change, wanted)
    except GitHubError as error:
        raise UsageError(f"GitHub API: {error}") from None
    if not changes:
        sys.stdout.write(f"{args.repo}: labels match {args.file}\n")
        return 0
    if args.verify:
        sys.stdout.write(f"{len(changes)} difference(s); run without --verify to apply\n")
        return 1
    sys.stdout.write(f"applied {len(changes)} change(s) to {args.repo}\n")
    return 0
