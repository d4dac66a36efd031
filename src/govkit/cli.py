"""The ``govkit`` command line: one sub-command per room of the kit.

Each command module exposes ``register(subparsers)`` which adds its parser and
sets ``handler`` to a function ``(args) -> int`` (the exit code). Errors a user
can cause raise :class:`UsageError`: one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from govkit import __version__
from govkit.errors import UsageError

# Modules that register sub-commands; each later issue adds its own line.
COMMAND_MODULES: tuple[str, ...] = (
    "govkit.commands.check",
    "govkit.commands.audit",
    "govkit.commands.labels",
    "govkit.commands.slo",
    "govkit.commands.contracts",
    "govkit.commands.secrets",
    "govkit.commands.workflows",
    "govkit.commands.rulesets",
    "govkit.commands.codeowners",
    "govkit.commands.adr",
    "govkit.commands.runbooks",
    "govkit.commands.pr",
    "govkit.commands.drift",
    "govkit.commands.fleet",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govkit",
        description="Platform governance kit: repository checks, contract diff, SLO rules, audit.",
    )
    parser.add_argument("--version", action="version", version=f"govkit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


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
