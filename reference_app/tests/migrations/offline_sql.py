"""The PostgreSQL SQL of each revision (``alembic upgrade PREV:REV --sql``), one file each.

``nox -s migrations`` lints these files with squawk. One file per revision, not one for the
whole history, so squawk judges each revision against tables that already exist: an index
added later to an existing table is flagged, as it would lock that table in production.

Run from ``reference_app/``: ``python -m tests.migrations.offline_sql OUTPUT_DIR``.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from pricing_service.core.db import alembic_config

# Offline mode never connects: the URL only picks the dialect the SQL is rendered for.
OFFLINE_URL = "postgresql+psycopg://offline@localhost/offline"


def revision_sql(script_location: Path | None = None) -> dict[str, str]:
    """``{revision: its upgrade SQL}`` in history order, base first."""
    config = alembic_config(OFFLINE_URL)
    if script_location is not None:
        config.set_main_option("script_location", str(script_location))
    script = ScriptDirectory.from_config(config)
    result: dict[str, str] = {}
    for revision in reversed(list(script.walk_revisions())):
        down = revision.down_revision
        if isinstance(down, tuple | list):
            raise SystemExit(f"{revision.revision} merges {down}: lint it by hand")
        buffer = io.StringIO()
        config.output_buffer = buffer
        span = f"{down}:{revision.revision}" if down else revision.revision
        command.upgrade(config, span, sql=True)
        result[revision.revision] = buffer.getvalue()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offline-sql", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="folder for NNNN.sql files (created)")
    args = parser.parse_args(argv)
    output: Path = args.output
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("*.sql"):
        old.unlink()
    for revision, sql in revision_sql().items():
        (output / f"{revision}.sql").write_text(sql, encoding="utf-8")
    sys.stdout.write(f"offline-sql: wrote {len(list(output.glob('*.sql')))} file(s) to {output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
