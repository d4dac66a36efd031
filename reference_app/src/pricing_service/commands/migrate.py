"""``pricing-service migrate``: upgrade the database to the Alembic head (a release step)."""

from __future__ import annotations

import argparse
from typing import Any

from alembic import command
from sqlalchemy.exc import OperationalError

from pricing_service.commands import CommandError
from pricing_service.core.db import alembic_config, ensure_sqlite_folder
from pricing_service.core.logging import get_logger
from pricing_service.settings import Settings

logger = get_logger(__name__)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "migrate", help="upgrade the database schema", description=__doc__
    )
    parser.add_argument("revision", nargs="?", default="head", help="target revision (head)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    ensure_sqlite_folder(settings.database_url)
    try:
        config = alembic_config(settings.database_url, settings.token_encryption_key_list)
        command.upgrade(config, args.revision)
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        raise CommandError(f"cannot migrate the database: {reason}") from None
    logger.info("migrated", revision=args.revision)
    return 0
