"""Secrets at rest (issue 22): the seller's MercadoLibre tokens are stored encrypted (Fernet, keys
from TOKEN_ENCRYPTION_KEYS, rotatable), and a failed statement never shows its parameters."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from pricing_service.core.db import create_engine
from pricing_service.settings import Settings
from pricing_service.sync.models import SyncJob
from tests.sync_support import (
    FakeServer,
    add_products,
    cli_env,
    drain_sync,
    enqueue,
    worker_settings,
)


def new_key() -> str:
    return Fernet.generate_key().decode()


def stored_tokens(db: Session) -> tuple[str, str | None]:
    row = db.execute(text("SELECT refresh_token, access_token FROM marketplace_credentials")).one()
    return row[0], row[1]


def sync_once(settings: Settings, db: Session, start: int) -> str:
    """Push one pending product through a worker; the job's final status."""
    add_products(db, 1, start=start)
    job_id = enqueue(settings)
    drain_sync(settings)
    db.expire_all()
    job = db.get(SyncJob, job_id)
    assert job is not None
    return job.status


def test_marketplace_tokens_are_stored_encrypted(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    key = new_key()
    settings = worker_settings(make_settings, fake_server, token_encryption_keys=key)
    assert sync_once(settings, db, start=1) == "succeeded"  # seeds, then refreshes the grant
    refresh, access = stored_tokens(db)
    assert access is not None
    for value in (refresh, access):
        assert "TG-" not in value
        assert "APP_USR-" not in value
    assert Fernet(key).decrypt(refresh.encode()).decode().startswith("TG-")
    assert Fernet(key).decrypt(access.encode()).decode().startswith("APP_USR-")


def test_keys_rotate_new_key_first_then_the_old_one_goes(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session
) -> None:
    old, new = new_key(), new_key()
    with_old = worker_settings(make_settings, fake_server, token_encryption_keys=old)
    assert sync_once(with_old, db, start=1) == "succeeded"
    both = worker_settings(make_settings, fake_server, token_encryption_keys=f"{new},{old}")
    assert sync_once(both, db, start=2) == "succeeded"  # a worker start re-encrypts the row
    refresh, _access = stored_tokens(db)
    assert Fernet(new).decrypt(refresh.encode()).decode().startswith("TG-")
    only_new = worker_settings(make_settings, fake_server, token_encryption_keys=new)
    assert sync_once(only_new, db, start=3) == "succeeded"


def test_a_worker_without_the_sealing_key_refuses_to_start_with_one_line(
    make_settings: Callable[..., Settings], fake_server: FakeServer, db: Session, database_url: str
) -> None:
    settings = worker_settings(make_settings, fake_server, token_encryption_keys=new_key())
    assert sync_once(settings, db, start=1) == "succeeded"
    env = cli_env(
        DATABASE_URL=database_url, ML_API_BASE_URL=fake_server.url, TOKEN_ENCRYPTION_KEYS=new_key()
    )
    result = subprocess.run(
        [sys.executable, "-m", "pricing_service.cli", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "TOKEN_ENCRYPTION_KEYS" in result.stderr
    assert "Traceback" not in result.stderr


def test_failed_statements_never_carry_their_parameters(database_url: str) -> None:
    engine = create_engine(database_url)

    async def run() -> None:
        try:
            async with engine.connect() as connection:
                await connection.execute(
                    text("SELECT * FROM no_such_table WHERE token = :token"),
                    {"token": "TG-needle-4711"},
                )
        finally:
            await engine.dispose()

    with pytest.raises(SQLAlchemyError) as raised:
        asyncio.run(run())
    assert "TG-needle-4711" not in str(raised.value)
    assert "hidden" in str(raised.value)
