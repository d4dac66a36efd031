"""The ``pricing-service`` command line.

Each command module exposes ``register(subparsers)``, adding its parser with ``handler`` set to
``(args, settings) -> int``. Settings are loaded once here: an invalid setting is one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pricing_service import __version__
from pricing_service.commands import CommandError
from pricing_service.core.logging import configure_logging
from pricing_service.core.settings import SettingsError
from pricing_service.settings import Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pricing-service",
        description="The reference pricing service: API server, migrations and operations.",
    )
    parser.add_argument("--version", action="version", version=f"pricing-service {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # Imported here, not at the top: prometheus-client opens its files in the metrics directory
    # as soon as a command module imports it, and main() creates that directory first.
    from pricing_service.commands import (
        migrate,
        openapi,
        seed,
        serve,
        users,
        worker,
    )

    # In the order `--help` lists them.
    for module in (serve, migrate, seed, users, worker, openapi):
        module.register(subparsers)
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
    raise SystemExit(main())
