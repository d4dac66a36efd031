"""Login throttle and sessions (issue 22): the addresses each account signed in from, and where
and with what each session was opened.

``login_known_addresses`` lets an account's own addresses past the per-account login limit, so a
stranger cannot lock the owner out (auth/throttle.py). ``refresh_families`` gains two nullable
columns the owner sees in GET /api/auth/sessions. Expand only: the previous release ignores both,
and the downgrade drops them (throttle state and session labels, nothing a user entered).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_known_addresses",
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_key", "client_ip", name=op.f("pk_login_known_addresses")),
    )
    op.add_column("refresh_families", sa.Column("client_address", sa.String(64), nullable=True))
    op.add_column("refresh_families", sa.Column("user_agent", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_families") as batch:
        batch.drop_column("user_agent")
        batch.drop_column("client_address")
    op.drop_table("login_known_addresses")
