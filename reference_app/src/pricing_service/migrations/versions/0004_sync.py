"""Sync: jobs (one queued-or-running per marketplace), per-item outcomes, marketplace credentials.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
ONE_ACTIVE_JOB_WHERE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    op.create_table(
        "sync_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("product_ids", sa.JSON(), nullable=True),
        sa.Column("items_total", sa.Integer(), nullable=False),
        sa.Column("items_succeeded", sa.Integer(), nullable=False),
        sa.Column("items_failed", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", TIMESTAMP, nullable=True),
        sa.Column("heartbeat_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'partial', 'failed')", name="status"
        ),
        sa.CheckConstraint("trigger IN ('api', 'schedule', 'cli')", name="trigger"),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_sync_jobs_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_jobs")),
    )
    op.create_index(op.f("ix_sync_jobs_created_at"), "sync_jobs", ["created_at"], unique=False)
    op.create_index(op.f("ix_sync_jobs_requested_by"), "sync_jobs", ["requested_by"], unique=False)
    op.create_index(
        "ix_sync_jobs_status_lease_expires_at",
        "sync_jobs",
        ["status", "lease_expires_at"],
        unique=False,
    )
    # The race-safe "one active job" rule: a second concurrent insert fails on this index.
    op.create_index(
        "uq_sync_jobs_one_active",
        "sync_jobs",
        ["marketplace"],
        unique=True,
        sqlite_where=ONE_ACTIVE_JOB_WHERE,
        postgresql_where=ONE_ACTIVE_JOB_WHERE,
    )
    op.create_table(
        "sync_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("product_version", sa.Integer(), nullable=False),
        sa.Column("marketplace_item_id", sa.String(length=32), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("synced_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(
            "status IN ('in_flight', 'succeeded', 'failed', 'rejected')", name="status"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["sync_jobs.id"],
            name=op.f("fk_sync_items_job_id_sync_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_sync_items_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_items")),
        sa.UniqueConstraint(
            "job_id",
            "product_id",
            "product_version",
            name=op.f("uq_sync_items_job_id_product_id_product_version"),
        ),
    )
    op.create_index("ix_sync_items_job_id_status", "sync_items", ["job_id", "status"], unique=False)
    op.create_index(op.f("ix_sync_items_product_id"), "sync_items", ["product_id"], unique=False)
    op.create_table(
        "marketplace_credentials",
        sa.Column("marketplace", sa.String(length=32), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_token_expires_at", TIMESTAMP, nullable=True),
        sa.Column("seed_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("degraded_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("marketplace", name=op.f("pk_marketplace_credentials")),
    )


def downgrade() -> None:
    op.drop_table("marketplace_credentials")
    op.drop_index(op.f("ix_sync_items_product_id"), table_name="sync_items")
    op.drop_index("ix_sync_items_job_id_status", table_name="sync_items")
    op.drop_table("sync_items")
    op.drop_index("uq_sync_jobs_one_active", table_name="sync_jobs")
    op.drop_index("ix_sync_jobs_status_lease_expires_at", table_name="sync_jobs")
    op.drop_index(op.f("ix_sync_jobs_requested_by"), table_name="sync_jobs")
    op.drop_index(op.f("ix_sync_jobs_created_at"), table_name="sync_jobs")
    op.drop_table("sync_jobs")
