"""``pricing-service migrate``: upgrade the database to the Alembic head (a release step).

``migrate REVISION --downgrade`` steps back to an older revision: only for a revision whose
downgrade its review documented as safe (docs/deploy.md, Rollback).
"""

from __future__ import annotations

import argparse
from typing import Any

from alembic import command
from alembic.util import CommandError as CommandError_
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
    parser.add_argument(
        "--downgrade",
        action="store_true",
        help="step back to REVISION (an older revision; required with this flag)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if args.downgrade and args.revision == "head":
        raise CommandError("--downgrade needs the revision to step back to, e.g. 0005")
    ensure_sqlite_folder(settings.database_url)
    step = command.downgrade if args.downgrade else command.upgrade
    try:
        config = alembic_config(settings.database_url, settings.token_encryption_key_list)
        step(config, args.revision)
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        raise CommandError(f"cannot migrate the database: {reason}") from None
    except CommandError_ as error:
        raise CommandError(f"cannot migrate to {args.revision}: {error}") from None
    logger.info("downgraded" if args.downgrade else "migrated", revision=args.revision)
    return 0
