"""The data-migration test pattern: seed rows before a revision, upgrade, assert them after.

How to write one for a new revision ``NNNN`` (policies/migrations.md, "Adding a schema change"):

1. ``alembic_runner.migrate_up_before("NNNN")``: the database as production has it today.
2. ``alembic_runner.insert_into(table, rows)``: rows shaped like production's, through the
   tables as they exist at that revision (never through today's ORM models, which may differ).
3. ``alembic_runner.migrate_up_one()``: run the revision under test.
4. Assert with plain SQL: every seeded row is still there, backfilled columns hold what they
   should, new constraints accept the old rows. Then ``migrate_down_one()`` and assert what the
   downgrade promises.

The real examples below are the pricing (0003) and sync (0004) revisions: they add tables whose
foreign keys point at rows created by earlier revisions, on a database that already has them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from cryptography.fernet import Fernet
from pytest_alembic import MigrationContext
from sqlalchemy import Engine, text

from pricing_service.settings import DEV_TOKEN_ENCRYPTION_KEY

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
USERS = [
    {"id": 1, "email": "ana@example.com", "password_hash": "x", "role": "admin"},
    {
        "id": 2,
        "email": "bo@example.com",
        "password_hash": "x",
        "role": "viewer",
        "is_active": False,
    },
]


def test_pricing_revision_keeps_existing_users_and_links_history_to_them(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_before("0003")
    alembic_runner.insert_into("users", USERS)

    alembic_runner.migrate_up_one()

    assert alembic_runner.current == "0003"
    with alembic_engine.begin() as connection:
        users = connection.execute(
            text("SELECT id, email, role, is_active FROM users ORDER BY id")
        ).all()
        assert [tuple(u) for u in users] == [
            (1, "ana@example.com", "admin", True),  # server default filled the old row
            (2, "bo@example.com", "viewer", False),
        ]
        connection.execute(
            text(
                "INSERT INTO products (id, sku, title, currency, cost, price, min_price,"
                " max_price, version, created_at, updated_at)"
                " VALUES (10, 'SKU-1', 'Mate', 'ARS', 60, 100, 50, 200, 1, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO price_changes (product_id, old_price, new_price, version, actor_id,"
                " reason, request_id, created_at)"
                " VALUES (10, 100, 110, 2, 1, 'seeded', 'req-1', :now)"
            ),
            {"now": NOW},
        )
        change = connection.execute(text("SELECT actor_id, new_price FROM price_changes")).one()
        assert (change.actor_id, Decimal(change.new_price)) == (1, Decimal("110.00"))

    alembic_runner.migrate_down_one()

    with alembic_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 2


def test_sync_revision_keeps_pending_products_pending(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_before("0004")
    alembic_runner.insert_into("users", USERS[:1])
    alembic_runner.insert_into(
        "products",
        [
            {
                "id": product_id,
                "sku": f"SKU-{product_id}",
                "title": "Mate",
                "currency": "ARS",
                "cost": Decimal("60.00"),
                "price": Decimal("100.00"),
                "min_price": Decimal("50.00"),
                "max_price": Decimal("200.00"),
                "marketplace_item_id": f"MLA{product_id:010d}",
                "version": 3,
                "created_at": NOW,
                "updated_at": NOW,
                "pending_sync_since": NOW if product_id == 1 else None,
            }
            for product_id in (1, 2)
        ],
    )

    alembic_runner.migrate_up_one()

    assert alembic_runner.current == "0004"
    with alembic_engine.begin() as connection:
        pending = connection.execute(
            text("SELECT id, version FROM products WHERE pending_sync_since IS NOT NULL")
        ).all()
        assert [tuple(p) for p in pending] == [(1, 3)]
        job_id = connection.execute(
            text(
                "INSERT INTO sync_jobs (marketplace, status, trigger, requested_by, items_total,"
                " items_succeeded, items_failed, retries, claims, created_at)"
                " VALUES ('mercadolibre', 'queued', 'api', 1, 1, 0, 0, 0, 0, :now)"
                " RETURNING id"
            ),
            {"now": NOW},
        ).scalar_one()
        assert job_id >= 1


def test_token_encryption_revision_encrypts_existing_rows_and_its_downgrade_restores_them(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    """0007 (issue 22): the seller's tokens, stored in plain text until then, are sealed with the
    first TOKEN_ENCRYPTION_KEYS key; the downgrade opens them again (it needs that key)."""
    alembic_runner.migrate_up_before("0007")
    plain = {"refresh_token": "TG-0123456789abcdef01234567-42", "access_token": "APP_USR-1-x-42"}
    alembic_runner.insert_into(
        "marketplace_credentials",
        [
            {
                "marketplace": "mercadolibre",
                **plain,
                "access_token_expires_at": NOW,
                "seed_fingerprint": "f" * 64,
                "degraded_reason": None,
                "updated_at": NOW,
            },
            {
                "marketplace": "second",
                "refresh_token": "TG-second",
                "access_token": None,
                "access_token_expires_at": None,
                "seed_fingerprint": "e" * 64,
                "degraded_reason": "invalid_grant",
                "updated_at": NOW,
            },
        ],
    )

    alembic_runner.migrate_up_one()

    assert alembic_runner.current == "0007"
    select_rows = text(
        "SELECT marketplace, refresh_token, access_token, seed_fingerprint, degraded_reason"
        " FROM marketplace_credentials ORDER BY marketplace"
    )
    fernet = Fernet(DEV_TOKEN_ENCRYPTION_KEY)
    with alembic_engine.connect() as connection:
        first, second = connection.execute(select_rows).all()
    assert plain["refresh_token"] not in first.refresh_token
    assert fernet.decrypt(first.refresh_token.encode()).decode() == plain["refresh_token"]
    assert fernet.decrypt(first.access_token.encode()).decode() == plain["access_token"]
    assert fernet.decrypt(second.refresh_token.encode()).decode() == "TG-second"
    assert (second.access_token, second.seed_fingerprint, second.degraded_reason) == (
        None,
        "e" * 64,
        "invalid_grant",
    )

    alembic_runner.migrate_down_one()

    with alembic_engine.connect() as connection:
        first, second = connection.execute(select_rows).all()
    assert (first.refresh_token, first.access_token) == tuple(plain.values())
    assert (second.refresh_token, second.access_token) == ("TG-second", None)
