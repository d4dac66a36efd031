"""What a migrated database looks like, read back through SQLAlchemy's inspector.

``snapshot`` is comparable across runs (upgrade, downgrade to base, upgrade again);
``unnamed_constraints`` lists every constraint or index whose name the naming convention in
``pricing_service.core.db`` did not give (a database-generated name such as ``users_pkey``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, inspect

ALEMBIC_TABLE = "alembic_version"  # Alembic's own bookkeeping; its key is named by Alembic
PREFIXES = {"fk": ("fk_",), "uq": ("uq_",), "ck": ("ck_",), "ix": ("ix_", "uq_")}


def snapshot(engine: Engine) -> dict[str, Any]:
    """Tables with columns, keys, constraints and indexes; on PostgreSQL also sequences, enums."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(inspector.get_table_names()):
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(name)
            ],
            "primary_key": inspector.get_pk_constraint(name),
            "foreign_keys": sorted(
                (
                    str(fk["name"]),
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    tuple(sorted(fk.get("options", {}).items())),
                )
                for fk in inspector.get_foreign_keys(name)
            ),
            "unique": sorted(
                (str(u["name"]), tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "checks": sorted(
                (str(c["name"]), str(c["sqltext"])) for c in inspector.get_check_constraints(name)
            ),
            "indexes": sorted(
                (str(i["name"]), tuple(map(str, i["column_names"])), bool(i["unique"]))
                for i in inspector.get_indexes(name)
            ),
        }
    result: dict[str, Any] = {"tables": tables}
    if engine.dialect.name == "postgresql":
        result["sequences"] = sorted(inspector.get_sequence_names())
        result["enums"] = sorted(e["name"] for e in inspector.get_enums())  # type: ignore[attr-defined]
    return result


def unnamed_constraints(engine: Engine) -> list[str]:
    """One line per constraint or index not named by the convention (empty: all named)."""
    inspector = inspect(engine)
    problems: list[str] = []

    def expect(kind: str, table: str, name: str | None, what: str) -> None:
        if not name or not name.startswith(PREFIXES[kind]):
            problems.append(f"{table}: {what} is named {name!r}, not {'/'.join(PREFIXES[kind])}…")

    for table in sorted(inspector.get_table_names()):
        if table == ALEMBIC_TABLE:
            continue
        pk = inspector.get_pk_constraint(table)
        if pk["constrained_columns"] and pk["name"] != f"pk_{table}":
            problems.append(f"{table}: primary key is named {pk['name']!r}, not 'pk_{table}'")
        for fk in inspector.get_foreign_keys(table):
            expect("fk", table, fk["name"], f"foreign key {fk['constrained_columns']}")
        for unique in inspector.get_unique_constraints(table):
            expect("uq", table, unique["name"], f"unique constraint {unique['column_names']}")
        for check in inspector.get_check_constraints(table):
            expect("ck", table, check["name"], f"check ({check['sqltext']})")
        for index in inspector.get_indexes(table):
            expect("ix", table, index["name"], f"index {index['column_names']}")
    return problems
