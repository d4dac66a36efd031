"""``pricing-service seed --products N``: realistic demo products for serve and the benchmarks.

Products are numbered: demo product n has sku ``DEMO-<n>`` and marketplace item
``MLA<1100000000 + n>``, and its values come from a generator seeded with n, so a re-run creates
only the missing ones and reports the rest as already there (idempotent). New products are in
sync (``pending_sync_since`` null): seeding never triggers a marketplace push.
"""

from __future__ import annotations

import argparse
import random
import sys
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, create_engine, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from pricing_service.commands import CommandError
from pricing_service.core.db import sync_url
from pricing_service.core.logging import get_logger
from pricing_service.core.time import utcnow
from pricing_service.pricing.models import Product
from pricing_service.settings import Settings

logger = get_logger(__name__)

MAX_PRODUCTS = 1_000_000
BATCH = 1_000
SKU_PREFIX = "DEMO-"
ITEM_BASE = 1_100_000_000
CENT = Decimal("0.01")

# (kind, typical cost in ARS) and the words that make titles look like a real catalogue.
KINDS = (
    ("Mate de calabaza", 4_500),
    ("Yerba mate 1 kg", 3_200),
    ("Bombilla de alpaca", 6_800),
    ("Termo acero inoxidable 1 L", 28_000),
    ("Auriculares inalámbricos", 35_000),
    ("Zapatillas running", 82_000),
    ("Mochila urbana 25 L", 41_000),
    ("Cafetera italiana 6 tazas", 23_500),
    ("Parlante bluetooth", 47_000),
    ("Remera algodón", 9_900),
    ("Campera rompeviento", 64_000),
    ("Lámpara LED de escritorio", 18_700),
)
BRANDS = ("Andes", "Pampa", "Patagonia", "Litoral", "Cuyo", "Delta", "Sierra", "Puna")
VARIANTS = ("negro", "azul", "rojo", "verde", "gris", "blanco", "edición limitada", "pack x2")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "seed", help="create demo products (idempotent)", description=__doc__
    )
    parser.add_argument(
        "--products",
        type=int,
        required=True,
        metavar="N",
        help=f"how many demo products should exist (1..{MAX_PRODUCTS})",
    )
    parser.set_defaults(handler=handle)


def demo_product(n: int) -> dict[str, Any]:
    """Demo product number n (1-based): the same values on every run."""
    rng = random.Random(n)  # noqa: S311  # demo data, not a secret
    kind, typical_cost = KINDS[rng.randrange(len(KINDS))]
    cost = (Decimal(typical_cost) * Decimal(rng.uniform(0.7, 1.3))).quantize(CENT)
    price = (cost * Decimal(rng.uniform(1.25, 1.8))).quantize(Decimal("10")) - Decimal("0.10")
    now = utcnow()
    return {
        "sku": f"{SKU_PREFIX}{n:06d}",
        "title": f"{kind} {rng.choice(BRANDS)} {rng.choice(VARIANTS)}",
        "currency": "ARS",
        "cost": cost,
        "price": price,
        "min_price": (cost * Decimal("1.05")).quantize(CENT),
        "max_price": (price * 2).quantize(CENT),
        "marketplace_item_id": f"MLA{ITEM_BASE + n}",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def handle(args: argparse.Namespace, settings: Settings) -> int:
    count: int = args.products
    if not 1 <= count <= MAX_PRODUCTS:
        raise CommandError(f"--products must be between 1 and {MAX_PRODUCTS}, got {count}")
    table: Table = Product.__table__  # type: ignore[assignment]
    engine = create_engine(sync_url(settings.database_url), hide_parameters=True)
    try:
        with engine.begin() as connection:
            existing = set(
                connection.execute(
                    select(table.c.sku).where(table.c.sku.startswith(SKU_PREFIX, autoescape=True))
                ).scalars()
            )
            missing = [n for n in range(1, count + 1) if f"{SKU_PREFIX}{n:06d}" not in existing]
            for start in range(0, len(missing), BATCH):
                rows = [demo_product(n) for n in missing[start : start + BATCH]]
                connection.execute(insert(table), rows)
    except (OperationalError, ProgrammingError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        raise CommandError(
            f"cannot seed: {reason} (is the database migrated? run `pricing-service migrate`)"
        ) from None
    except IntegrityError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "conflict"
        raise CommandError(
            f"cannot seed, a demo value is taken by another product: {reason}"
        ) from None
    finally:
        engine.dispose()
    kept = count - len(missing)
    logger.info("seeded", created=len(missing), already_present=kept)
    sys.stdout.write(
        f"seeded {len(missing)} demo product(s); {kept} of the {count} already existed\n"
    )
    return 0
