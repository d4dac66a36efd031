"""The ``pricing-service`` command line.

Each command module exposes ``register(subparsers)``, adding its parser with ``handler`` set to
``(args, settings) -> int``. Settings are loaded once here: an invalid setting is one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pricing_service import __version__
from pricing_service.observability.logging import configure_logging
from pricing_service.settings import SettingsError, load_settings

# Modules that register sub-commands; each domain adds its own line.
COMMAND_MODULES: tuple[str, ...] = (
    "pricing_service.commands.serve",
    "pricing_service.commands.migrate",
)


class CommandError(Exception):
    """A command cannot do what was asked; the message is one line for the person."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pricing-service",
        description="The reference pricing service: API server, migrations and operations.",
    )
    parser.add_argument("--version", action="version", version=f"pricing-service {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.effective_log_format)
        code: int = args.handler(args, settings)
    except (SettingsError, CommandError) as error:
        sys.stderr.write(f"pricing-service {args.command}: {error}\n")
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
