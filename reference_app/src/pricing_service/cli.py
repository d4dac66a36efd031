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
from pricing_service.settings import Settings, SettingsError, load_settings

# Modules that register sub-commands; each domain adds its own line.
COMMAND_MODULES: tuple[str, ...] = (
    "pricing_service.commands.serve",
    "pricing_service.commands.migrate",
    "pricing_service.commands.seed",
    "pricing_service.commands.users",
    "pricing_service.commands.fake_marketplace",
    "pricing_service.commands.worker",
    "pricing_service.commands.openapi",
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


def _load() -> Settings:
    """Settings, with the metrics directory created: prometheus-client opens files there as soon
    as a command module imports it, so this runs before the parser imports them."""
    settings = load_settings()
    if settings.prometheus_multiproc_dir is not None:
        try:
            settings.prometheus_multiproc_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(
                f"PROMETHEUS_MULTIPROC_DIR: cannot create it: {error.strerror}"
            ) from None
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    failure: SettingsError | CommandError | None = None
    try:
        settings = _load()
    except (SettingsError, CommandError) as error:
        failure = error
    args = build_parser().parse_args(argv)  # --help works even when settings are invalid
    if failure is None:
        try:
            configure_logging(settings.log_level, settings.effective_log_format)
            code: int = args.handler(args, settings)
        except (SettingsError, CommandError) as error:
            failure = error
        else:
            return code
    sys.stderr.write(f"pricing-service {args.command}: {failure}\n")
    return 2


if __name__ == "__main__":
    # `python -m pricing_service.cli`: run the package's module, not this `__main__` copy, so the
    # CommandError the commands raise is the one main() catches.
    from pricing_service.cli import main as package_main

    raise SystemExit(package_main())
