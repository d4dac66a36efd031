"""Migration 0002 matches the auth models, and downgrades and upgrades cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine

from pricing_service.core.db import Base, alembic_config, sync_url

AUTH_TABLES = {"users", "refresh_families", "refresh_tokens", "login_failures"}


def _auth_diff(engine: Engine) -> list[Any]:
    def about_auth(diff: Any) -> bool:
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            table = getattr(part, "table", None)
            name = getattr(table, "name", None) or getattr(part, "name", None)
            if name in AUTH_TABLES or (isinstance(part, str) and part in AUTH_TABLES):
                return True
        return False

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata) if about_auth(d)]


def test_models_match_the_migrated_schema(sync_engine: Engine) -> None:
    assert set(inspect(sync_engine).get_table_names()) >= AUTH_TABLES
    assert _auth_diff(sync_engine) == []


def test_downgrade_removes_auth_and_upgrade_restores_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "0001")
    engine = create_engine(sync_url(url))
    try:
        assert not AUTH_TABLES & set(inspect(engine).get_table_names())
        command.upgrade(config, "head")
        assert set(inspect(engine).get_table_names()) >= AUTH_TABLES
        assert _auth_diff(engine) == []
        names = {uc["name"] for uc in inspect(engine).get_unique_constraints("users")}
        assert names == {"uq_users_email"}
    finally:
        engine.dispose()
