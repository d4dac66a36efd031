"""``govkit drift [PATH] --repo OWNER/NAME``: has GitHub drifted from the repository's files?

Compares the default-branch ruleset, the labels and the CODEOWNERS teams on GitHub with PATH's
files, and the template with the latest kit release (``copier check-update``). Prints the report;
``--issue`` also opens, updates or closes the one drift issue. Exit 1 when anything drifted.
Token from GITHUB_TOKEN: it must read the repository's administration (rulesets), the
organization's teams, and write issues when ``--issue`` is given.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from govkit.drift import (
    DriftIssue,
    codeowners_drift,
    labels_drift,
    report,
    ruleset_drift,
    template_drift,
)
from govkit.errors import UsageError
from govkit.github import DEFAULT_API_URL, GitHubAPI, GitHubError, github_http_client

_REPO = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "drift",
        help="compare GitHub's rulesets, labels and teams with the files",
        description=__doc__,
    )
    parser.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    parser.add_argument(
        "--repo",
        default=os.environ.get("GITHUB_REPOSITORY", ""),
        help="OWNER/NAME on GitHub (default: $GITHUB_REPOSITORY, set in GitHub Actions)",
    )
    parser.add_argument(
        "--issue", action="store_true", help="open, update or close the drift issue"
    )
    parser.add_argument("--api-url", default=DEFAULT_API_URL, help="GitHub REST API base URL")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    root: Path = args.path
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    if not _REPO.match(args.repo):
        raise UsageError(f"--repo must be OWNER/NAME, not {args.repo!r}")
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageError(
            f"GITHUB_TOKEN is not set: export a token that can read {args.repo}'s rulesets and "
            "its organization's teams (and write issues, for --issue)"
        )
    try:
        with github_http_client(token, args.api_url) as http:
            api = GitHubAPI(http)
            areas = [
                ruleset_drift(api, args.repo, root),
                labels_drift(api, args.repo, root),
                codeowners_drift(api, args.repo, root),
                template_drift(root),
            ]
            body = report(args.repo, areas)
            drifted = any(area.lines for area in areas)
            action = DriftIssue(api, args.repo).sync(body, drifted) if args.issue else ""
    except GitHubError as error:
        raise UsageError(f"GitHub API: {error}") from None
    except ValueError as error:
        raise UsageError(str(error)) from None
    sys.stdout.write(body)
    if action:
        sys.stdout.write(f"{action}\n")
    return 1 if drifted else 0
