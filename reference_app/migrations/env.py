"""Alembic environment: URL from the service settings, metadata from the service models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from pricing_service.db import Base, sync_url
from pricing_service.models import import_all_models
from pricing_service.settings import load_settings

import_all_models()
config = context.config
target_metadata = Base.metadata
database_url = config.attributes.get("database_url") or load_settings().database_url
url = sync_url(database_url)
render_as_batch = url.get_backend_name() == "sqlite"  # SQLite needs batch mode for ALTER


def run_offline() -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=render_as_batch,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() if hasattr(connectable, "connect") else connectable as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=render_as_batch,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
