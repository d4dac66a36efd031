"""``govkit rulesets``: branch protection as code.

``check [PATH]`` runs the ruleset checks (BP1xx) of ``govkit check``; ``apply --repo OWNER/NAME``
creates or updates the ruleset on GitHub, and ``apply --verify`` only compares the live ruleset
with the file (exit 1 when they differ).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from govkit.checks import all_checks
from govkit.commands import check as check_command
from govkit.errors import UsageError
from govkit.github import DEFAULT_API_URL
from govkit.rulesets import (
    RULESET_FILE,
    GitHubError,
    RulesetsClient,
    differences,
    github_http_client,
    problems,
)

_REPO = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "rulesets",
        help="branch protection as code (GitHub repository rulesets)",
        description=__doc__,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="validate the ruleset file and its CI jobs")
    check.add_argument("path", nargs="?", default=".", type=Path, help="repository root")
    check.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    check.set_defaults(handler=handle_check)

    apply = actions.add_parser(
        "apply",
        help="create or update the ruleset on GitHub, or --verify it",
        description="Create or update the ruleset named in the file (token from GITHUB_TOKEN).",
    )
    apply.add_argument("--repo", required=True, help="OWNER/NAME on GitHub")
    apply.add_argument("--file", type=Path, default=Path(RULESET_FILE), help="ruleset JSON file")
    apply.add_argument(
        "--verify",
        action="store_true",
        help="change nothing: print how the live ruleset differs (exit 1 if so)",
    )
    apply.add_argument("--api-url", default=DEFAULT_API_URL, help="GitHub REST API base URL")
    apply.set_defaults(handler=handle_apply)


def handle_check(args: argparse.Namespace) -> int:
    ids = [c.id() for c in all_checks() if c.__module__ == "govkit.checks.rulesets"]
    return check_command.handle(
        argparse.Namespace(path=args.path, select=",".join(ids), ignore="", quiet=args.quiet)
    )


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise UsageError(f"{path} is not valid JSON: {error}") from None
    found = problems(data)
    if found or not isinstance(data, dict):
        raise UsageError(
            f"{path} does not meet the policy ({found[0]}); run "
            "`govkit rulesets check` for every problem"
        )
    return data


def handle_apply(args: argparse.Namespace) -> int:
    if not _REPO.match(args.repo):
        raise UsageError(f"--repo must be OWNER/NAME, not {args.repo!r}")
    wanted = _load(args.file)
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise UsageError(
            f"GITHUB_TOKEN is not set: export a token allowed to administer {args.repo}"
        )
    name = str(wanted["name"])
    try:
        with github_http_client(token, args.api_url) as http:
            client = RulesetsClient(http, args.repo)
            live = client.find(name)
            if args.verify:
                return _report(args, name, live, wanted)
            if live is None:
                result = client.create(wanted)
                verb = "created"
            else:
                result = client.update(int(live["id"]), wanted)
                verb = "updated"
    except GitHubError as error:
        raise UsageError(f"GitHub API: {error}") from None
    sys.stdout.write(f"{verb} ruleset {name!r} (id {result.get('id')}) on {args.repo}\n")
    # GitHub answers with the stored ruleset: anything it dropped or changed is reported.
    return _report(args, name, result, wanted) if differences(wanted, result) else 0


def _report(
    args: argparse.Namespace, name: str, live: dict[str, Any] | None, wanted: dict[str, Any]
) -> int:
    if live is None:
        sys.stdout.write(
            f"{args.repo} has no ruleset named {name!r}: run "
            f"`govkit rulesets apply --repo {args.repo}`\n"
        )
        return 1
    found = differences(wanted, live)
    if not found:
        sys.stdout.write(f"ruleset {name!r} on {args.repo} matches {args.file}\n")
        return 0
    sys.stdout.write(f"ruleset {name!r} on {args.repo} differs from {args.file}:\n")
    sys.stdout.write("".join(f"  {line}\n" for line in found))
    return 1
