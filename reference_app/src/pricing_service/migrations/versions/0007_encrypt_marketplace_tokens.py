"""Seal the seller's MercadoLibre tokens (issue 22): the rows written in plain text until now are
encrypted with the first TOKEN_ENCRYPTION_KEYS key (Fernet, as ``pricing_service.encryption``
does at run time).

A data-only revision, in batches by primary key (one row per marketplace today). It reads the
keys from the Alembic configuration (`pricing-service migrate` passes the service's settings);
with rows to seal and no key it stops with one line instead of guessing. Offline (`--sql`) it
can only say so: the values are encrypted in Python, not in SQL.

Release order: stop the sync workers, migrate, start the new release's workers. A previous
release's worker would read the sealed value as a token and lose the grant.

Downgrade: safe while a configured key opens every row; it writes the tokens back in plain text.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 100
credentials = sa.table(
    "marketplace_credentials",
    sa.column("marketplace", sa.String),
    sa.column("refresh_token", sa.Text),
    sa.column("access_token", sa.Text),
)


def _fernet() -> MultiFernet:
    keys = context.config.attributes.get("token_encryption_keys") or ()
    if not keys:
        raise RuntimeError(
            "0007 seals the stored marketplace tokens and needs TOKEN_ENCRYPTION_KEYS: run it "
            "with `pricing-service migrate`"
        )
    return MultiFernet([Fernet(key) for key in keys])


def _rewrite(change: Callable[[MultiFernet, str], str]) -> None:
    if context.is_offline_mode():
        op.execute("-- 0007: tokens are (de)crypted in Python; run this revision online")
        return
    bind = op.get_bind()
    fernet: MultiFernet | None = None
    after = ""
    while True:
        rows = bind.execute(
            sa.select(credentials)
            .where(credentials.c.marketplace > after)
            .order_by(credentials.c.marketplace)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        fernet = fernet or _fernet()
        for row in rows:
            bind.execute(
                credentials.update()
                .where(credentials.c.marketplace == row.marketplace)
                .values(
                    refresh_token=change(fernet, row.refresh_token),
                    access_token=None
                    if row.access_token is None
                    else change(fernet, row.access_token),
                )
            )
        after = rows[-1].marketplace


def _seal(fernet: MultiFernet, value: str) -> str:
    return fernet.encrypt(value.encode()).decode("ascii")


def _open(fernet: MultiFernet, value: str) -> str:
    try:
        return fernet.decrypt(value.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise RuntimeError(
            "0007 downgrade: a stored token does not open with TOKEN_ENCRYPTION_KEYS; add the "
            "key it was sealed with"
        ) from None


def upgrade() -> None:
    _rewrite(_seal)


def downgrade() -> None:
    _rewrite(_open)
