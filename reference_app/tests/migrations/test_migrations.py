"""The Alembic gate (``nox -s migrations``), on SQLite and, with TEST_DATABASE_URL, PostgreSQL.

pytest-alembic's four default tests: one head; empty database → head; models equal the
migrations (an empty autogenerate diff); every revision upgrades and downgrades one step at a
time. Ours add: down to base leaves nothing, and up again rebuilds the very same schema; every
constraint and index carries a name from the naming convention.
"""

from __future__ import annotations

import pytest
from pytest_alembic import MigrationContext
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, event

from tests.migrations.schema import ALEMBIC_TABLE, snapshot, unnamed_constraints

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


def test_down_to_base_step_by_step_then_up_again_rebuilds_the_same_schema(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_to("heads")
    at_head = snapshot(alembic_engine)
    assert set(at_head["tables"]) > {ALEMBIC_TABLE}

    steps = 0
    while alembic_runner.current != "base":
        alembic_runner.migrate_down_one()
        steps += 1
    assert steps == len(alembic_runner.history.revisions) - 2  # minus "base" and "heads"

    emptied = snapshot(alembic_engine)
    assert set(emptied["tables"]) <= {ALEMBIC_TABLE}, "a downgrade left tables behind"
    assert emptied.get("sequences", []) == [], "a downgrade left sequences behind"
    assert emptied.get("enums", []) == [], "a downgrade left enum types behind"

    alembic_runner.migrate_up_to("heads")
    assert snapshot(alembic_engine) == at_head


def test_every_constraint_and_index_is_named_by_the_convention(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_to("heads")
    assert unnamed_constraints(alembic_engine) == []


def test_online_migrations_on_postgresql_run_under_the_policy_timeouts(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    if alembic_engine.dialect.name != "postgresql":
        pytest.skip("lock_timeout/statement_timeout exist on PostgreSQL only (TEST_DATABASE_URL)")
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.strip())

    event.listen(alembic_engine, "before_cursor_execute", record)
    try:
        alembic_runner.migrate_up_one()
    finally:
        event.remove(alembic_engine, "before_cursor_execute", record)
    timeouts = ["SET LOCAL lock_timeout = '5s'", "SET LOCAL statement_timeout = '60s'"]
    first_ddl = next(i for i, s in enumerate(statements) if s.startswith("CREATE"))
    assert [s for s in statements[:first_ddl] if s.startswith("SET LOCAL")] == timeouts
