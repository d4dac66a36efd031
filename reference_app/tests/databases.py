"""Which PostgreSQL database a test process uses: TEST_DATABASE_URL's, one per pytest-xdist worker.

`nox -s tests` runs the suite in parallel; each worker migrates and empties its own database, so
`<name>_gw0`, `<name>_gw1`, ... are derived from TEST_DATABASE_URL's and created when missing.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql
from sqlalchemy import make_url


def postgres_url() -> str | None:
    """TEST_DATABASE_URL for this process (its worker's database under xdist), or None."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return worker_database(url, worker) if worker else url


def worker_database(url: str, worker: str) -> str:
    """The database of one pytest-xdist WORKER on TEST_DATABASE_URL's server: `<name>_<worker>`,
    created when it does not exist yet (test_h23b -> test_h23b_gw0, test_h23b_gw1, ...)."""
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parsed.set(database=name).render_as_string(hide_password=False)
