"""Alembic environment: URL from the service settings, metadata from the service models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection, Engine

from pricing_service.core.db import sync_url
from pricing_service.models import all_metadata
from pricing_service.settings import load_settings

config = context.config
target_metadata = all_metadata()
if "database_url" not in config.attributes:  # the alembic CLI itself: the service's settings
    settings = load_settings()
    config.attributes["database_url"] = settings.database_url
    config.attributes["token_encryption_keys"] = settings.token_encryption_key_list
url = sync_url(config.attributes["database_url"])
render_as_batch = url.get_backend_name() == "sqlite"  # SQLite needs batch mode for ALTER

# policies/migrations.md: a migration gives up quickly rather than queueing the API behind a lock.
# A revision that needs longer raises its own limit with SET LOCAL (lock_timeout never over 10s).
POSTGRESQL_TIMEOUTS = (
    "SET LOCAL lock_timeout = '5s'",
    "SET LOCAL statement_timeout = '60s'",
)


def set_timeouts(dialect_name: str) -> None:
    """Inside the migration transaction: the PostgreSQL limits (also in ``upgrade --sql``)."""
    if dialect_name == "postgresql":
        for statement in POSTGRESQL_TIMEOUTS:
            context.execute(statement)


def run_offline() -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=render_as_batch,
        compare_type=True,
    )
    with context.begin_transaction():
        set_timeouts(url.get_backend_name())
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")  # pytest-alembic hands over its own
    if isinstance(given, Connection):
        run_on(given)
        return
    engine = (
        given
        if isinstance(given, Engine)
        else create_engine(url, poolclass=pool.NullPool, hide_parameters=True)
    )
    with engine.connect() as connection:
        run_on(connection)


def run_on(connection: Connection) -> None:
    """Migrate on a connection; its dialect (not the settings URL) decides batch mode and limits."""
    dialect_name = connection.dialect.name
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=dialect_name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        set_timeouts(dialect_name)
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
