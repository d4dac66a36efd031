"""Pricing: products, their price history and stored bulk results (idempotency keys).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
MONEY = sa.Numeric(precision=12, scale=2)


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cost", MONEY, nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("min_price", MONEY, nullable=False),
        sa.Column("max_price", MONEY, nullable=False),
        sa.Column("marketplace_item_id", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("pending_sync_since", TIMESTAMP, nullable=True),
        sa.Column("last_synced_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("cost >= 0", name="cost_not_negative"),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint("min_price <= max_price", name="min_not_above_max"),
        sa.CheckConstraint("min_price > 0", name="min_price_positive"),
        sa.CheckConstraint("price >= min_price AND price <= max_price", name="price_within_bounds"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("marketplace_item_id", name=op.f("uq_products_marketplace_item_id")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    # The sync worker and GET /api/products?pending_sync=true look products up by this mark.
    op.create_index(
        "ix_products_pending_sync_since", "products", ["pending_sync_since"], unique=False
    )
    op.create_table(
        "price_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("old_price", MONEY, nullable=False),
        sa.Column("new_price", MONEY, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_price_changes_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_price_changes_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_changes")),
    )
    op.create_index(op.f("ix_price_changes_actor_id"), "price_changes", ["actor_id"], unique=False)
    # History pages: WHERE product_id = ? ORDER BY id DESC.
    op.create_index(
        "ix_price_changes_product_id_id", "price_changes", ["product_id", "id"], unique=False
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_keys_user_id_key")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_expires_at"), "idempotency_keys", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_keys_expires_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_price_changes_product_id_id", table_name="price_changes")
    op.drop_index(op.f("ix_price_changes_actor_id"), table_name="price_changes")
    op.drop_table("price_changes")
    op.drop_index("ix_products_pending_sync_since", table_name="products")
    op.drop_table("products")
