"""The migrations gate fails when it should: each case on a temporary copy, never the real tree.

A second head, a model changed without a migration, a constraint left to the database to name,
and SQL that squawk must refuse all make the same checks ``nox -s migrations`` runs fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_alembic import MigrationContext, runner
from pytest_alembic.plugin.error import AlembicTestFailure
from pytest_alembic.tests import test_model_definitions_match_ddl, test_single_head_revision
from sqlalchemy import Engine, MetaData, text

from pricing_service.core.db import ALEMBIC_INI, NAMING_CONVENTION, Base
from pricing_service.settings import APP_ROOT
from tests.migrations.conftest import gate_config
from tests.migrations.offline_sql import revision_sql
from tests.migrations.schema import unnamed_constraints

MIGRATIONS = ALEMBIC_INI.parent
SQUAWK_CONFIG = APP_ROOT / ".squawk.toml"


@pytest.fixture
def migrations_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def copy_runner(migrations_copy: Path, alembic_engine: Engine) -> Iterator[MigrationContext]:
    with runner(config=gate_config(alembic_engine, migrations_copy), engine=alembic_engine) as ctx:
        yield ctx


def _head(migrations: Path) -> str:
    return sorted(p.stem.split("_", 1)[0] for p in (migrations / "versions").glob("[0-9]*.py"))[-1]


def test_a_second_head_fails(migrations_copy: Path, alembic_engine: Engine) -> None:
    branch_point = f"{int(_head(migrations_copy)) - 1:04d}"  # the head's parent: a fork
    (migrations_copy / "versions" / "9999_parallel_branch.py").write_text(
        f'revision = "9999"\ndown_revision = "{branch_point}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )
    with (
        runner(config=gate_config(alembic_engine, migrations_copy), engine=alembic_engine) as ctx,
        pytest.raises(AlembicTestFailure, match="Expected 1 head revision, found 2"),
    ):
        test_single_head_revision(ctx)


def test_a_model_changed_without_a_migration_fails(
    copy_runner: MigrationContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = MetaData(naming_convention=NAMING_CONVENTION)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["users"].append_column(sa.Column("nickname", sa.String(40), nullable=True))
    monkeypatch.setattr(Base, "metadata", changed)  # what migrations/env.py compares against

    with pytest.raises(AlembicTestFailure, match="out of sync") as failure:
        test_model_definitions_match_ddl(copy_runner)
    assert "nickname" in str(failure.value.context)


def test_a_missing_revision_fails_the_model_check(
    migrations_copy: Path, alembic_engine: Engine
) -> None:
    # From the newest revision that creates a table to the head (later ones may add no table).
    revisions = sorted(migrations_copy.joinpath("versions").glob("[0-9]*.py"))
    newest = max(i for i, p in enumerate(revisions) if "op.create_table(" in p.read_text())
    for revision in revisions[newest:]:
        revision.unlink()
    with (
        runner(config=gate_config(alembic_engine, migrations_copy), engine=alembic_engine) as ctx,
        pytest.raises(AlembicTestFailure, match="out of sync"),
    ):
        test_model_definitions_match_ddl(ctx)


def test_a_constraint_named_by_the_database_is_reported(alembic_engine: Engine) -> None:
    with alembic_engine.begin() as connection:
        connection.execute(text("CREATE TABLE things (id INTEGER PRIMARY KEY, code VARCHAR(8))"))
        connection.execute(text("CREATE INDEX things_code_idx ON things (code)"))
        connection.execute(
            text("CREATE TABLE named (id INTEGER, CONSTRAINT pk_named PRIMARY KEY (id))")
        )
    problems = unnamed_constraints(alembic_engine)
    assert any(p.startswith("things: primary key is named") for p in problems), problems
    assert any("things_code_idx" in p for p in problems), problems
    assert not any(p.startswith("named:") for p in problems), problems


def test_every_revision_sets_the_postgresql_timeouts_first() -> None:
    sql = revision_sql()
    assert list(sql) == sorted(sql)
    for revision, text_ in sql.items():
        statements = [
            s.strip() for s in text_.split(";") if s.strip() and not s.strip().startswith("--")
        ]
        assert statements[:3] == [
            "BEGIN",
            "SET LOCAL lock_timeout = '5s'",
            "SET LOCAL statement_timeout = '60s'",
        ], revision


def _squawk(sql: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "revision.sql"
    file.write_text(sql, encoding="utf-8")
    squawk = Path(sys.executable).with_name("squawk")
    return subprocess.run(
        [str(squawk), "-c", str(SQUAWK_CONFIG), "--reporter", "gcc", str(file)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_squawk_with_our_exclusions_still_refuses_locking_changes(tmp_path: Path) -> None:
    result = _squawk(
        "BEGIN;\nSET LOCAL lock_timeout = '5s';\nSET LOCAL statement_timeout = '60s';\n"
        "CREATE INDEX ix_products_title ON products (title);\n"
        "ALTER TABLE products ADD COLUMN note TEXT NOT NULL;\nCOMMIT;\n",
        tmp_path,
    )
    assert result.returncode != 0
    assert "require-concurrent-index-creation" in result.stdout
    assert "adding-required-field" in result.stdout
    assert "require-lock-timeout" not in result.stdout  # env.py's SET LOCAL satisfies it


def test_squawk_refuses_a_revision_without_timeouts(tmp_path: Path) -> None:
    result = _squawk("BEGIN;\nALTER TABLE products ADD COLUMN note TEXT;\nCOMMIT;\n", tmp_path)
    assert result.returncode != 0
    assert "require-lock-timeout" in result.stdout
