"""The ``govkit`` command line: one sub-command per room of the kit.

Each command module exposes ``register(subparsers)`` which adds its parser and
sets ``handler`` to a function ``(args) -> int`` (the exit code); ``COMMANDS`` imports them
explicitly, so the import graph shows every one. Errors a user
can cause raise :class:`UsageError`: one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from govkit import __version__
from govkit.commands import (
    adr,
    audit,
    check,
    codeowners,
    contracts,
    drift,
    fleet,
    labels,
    pr,
    rulesets,
    runbooks,
    secrets,
    slo,
    workflows,
)
from govkit.errors import UsageError

# The modules that register sub-commands, in the order `govkit --help` lists them.
COMMANDS = (
    check,
    audit,
    labels,
    slo,
    contracts,
    secrets,
    workflows,
    rulesets,
    codeowners,
    adr,
    runbooks,
    pr,
    drift,
    fleet,
)


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="govkit",
        description="Platform governance kit: repository checks, contract diff, SLO rules, audit.",
    )
    parser.add_argument("--version", action="version", version=f"govkit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    return parser, dict(subparsers.choices)


def build_parser() -> argparse.ArgumentParser:
    return _parsers()[0]


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Each sub-command's name and its parser: what ``govkit COMMAND`` accepts."""
    return _parsers()[1]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        sys.stderr.write(f"govkit {args.command}: {error}\n")
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
