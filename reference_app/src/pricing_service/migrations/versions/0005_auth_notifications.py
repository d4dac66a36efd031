"""Auth notifications: a change to a user or to one of their sessions NOTIFYs ``auth_changed``.

API workers remember session checks and forget them when told (ADR 0009,
``pricing_service/auth/session_cache.py``). The payload is the user's id; a TRUNCATE sends an empty
payload (forget everyone). PostgreSQL only: SQLite has no notifications, and there the service
asks the database on every request. ``UPDATE OF revoked_at, user_id`` keeps a refresh (which only
touches ``last_used_at``) from evicting the user's entries on every worker.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('auth_changed', '');
    ELSIF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('auth_changed', OLD.id::text);
    ELSE
        PERFORM pg_notify('auth_changed', OLD.user_id::text);
    END IF;
    RETURN NULL;
END
$$
"""
TRIGGERS = {
    "users_auth_changed": "AFTER UPDATE OR DELETE ON users FOR EACH ROW",
    "refresh_families_auth_changed": (
        "AFTER UPDATE OF revoked_at, user_id OR DELETE ON refresh_families FOR EACH ROW"
    ),
    "users_auth_truncated": "AFTER TRUNCATE ON users FOR EACH STATEMENT",
    "refresh_families_auth_truncated": "AFTER TRUNCATE ON refresh_families FOR EACH STATEMENT",
}


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    if not _on_postgresql():
        return
    op.execute(FUNCTION)
    for name, when in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION notify_auth_changed()")


def downgrade() -> None:
    if not _on_postgresql():
        return
    for name, when in TRIGGERS.items():
        table = when.split(" ON ")[1].split()[0]
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION notify_auth_changed()")
