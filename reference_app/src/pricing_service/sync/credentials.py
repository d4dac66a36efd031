"""The seller's MercadoLibre tokens in the database (``marketplace_credentials``).

The row is seeded from ML_REFRESH_TOKEN the first time a worker starts. MercadoLibre refresh
tokens are single-use, so each refresh stores the new pair with a compare-and-swap on the old
refresh token: two processes refreshing at once never overwrite a newer grant with an older one.
Setting a different ML_REFRESH_TOKEN (after re-authorizing the seller) re-seeds the row and
clears a degraded state on the next worker start.

Both tokens are stored sealed (``encryption.TokenCipher``, TOKEN_ENCRYPTION_KEYS): the
compare-and-swap compares the sealed value it read, and each worker start re-seals a row that an
older key sealed, so a retired key can be removed once every worker has restarted.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pricing_service.core.logging import get_logger
from pricing_service.core.time import utcnow
from pricing_service.encryption import TokenCipher, UnreadableSecretError
from pricing_service.settings import Settings
from pricing_service.sync.client import StoredCredentials, Tokens
from pricing_service.sync.models import MARKETPLACE, MarketplaceCredential

logger = get_logger(__name__)
REPLACE_ATTEMPTS = 3  # a concurrent re-seal changes the sealed value, not the token


class CredentialsKeyError(Exception):
    """The stored tokens do not open with TOKEN_ENCRYPTION_KEYS; the message says what to do."""

    def __init__(self) -> None:
        super().__init__(
            "TOKEN_ENCRYPTION_KEYS: the stored marketplace tokens do not open with any "
            "configured key; add the key they were sealed with (newest first), or set a new "
            "ML_REFRESH_TOKEN to store a fresh grant"
        )


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DatabaseTokenStore:
    """A :class:`~pricing_service.sync.client.TokenStore` on the marketplace_credentials row."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: TokenCipher,
        marketplace: str = MARKETPLACE,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._marketplace = marketplace

    async def seed(self, settings: Settings) -> None:
        """Create the row from ML_REFRESH_TOKEN, or re-seed it when that setting changed.

        An unchanged row is checked to open with the configured keys (:class:`CredentialsKeyError`
        when it does not) and re-sealed with the newest key when an older one sealed it.
        """
        initial = settings.ml_initial_refresh_token.get_secret_value()
        seed = fingerprint(initial)
        async with self._sessions() as session:
            row = await session.get(MarketplaceCredential, self._marketplace)
            if row is not None and row.seed_fingerprint == seed:
                await self._reseal(session, row)
                return
            if row is None:
                session.add(
                    MarketplaceCredential(
                        marketplace=self._marketplace,
                        refresh_token=self._cipher.encrypt(initial),
                        seed_fingerprint=seed,
                        updated_at=utcnow(),
                    )
                )
            else:
                row.refresh_token = self._cipher.encrypt(initial)
                row.access_token = None
                row.access_token_expires_at = None
                row.seed_fingerprint = seed
                row.degraded_reason = None
                row.updated_at = utcnow()
            try:
                await session.commit()
            except IntegrityError:  # another worker seeded it at the same moment
                await session.rollback()
                return
        logger.info("marketplace_credentials_seeded", reseeded=row is not None)

    async def _reseal(self, session: AsyncSession, row: MarketplaceCredential) -> None:
        sealed = (row.refresh_token, row.access_token)
        try:
            for value in sealed:
                if value is not None:
                    self._cipher.decrypt(value)
        except UnreadableSecretError:
            raise CredentialsKeyError from None
        if all(value is None or self._cipher.is_current(value) for value in sealed):
            return
        refresh, access = (None if v is None else self._cipher.reseal(v) for v in sealed)
        # Compare-and-swap: a refresh that lands meanwhile already sealed with the newest key.
        result = await session.execute(
            update(MarketplaceCredential)
            .where(
                MarketplaceCredential.marketplace == self._marketplace,
                MarketplaceCredential.refresh_token == sealed[0],
            )
            .values(refresh_token=refresh, access_token=access)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        if _rowcount(result) == 1:
            logger.info("marketplace_credentials_resealed")

    async def load(self) -> StoredCredentials:
        async with self._sessions() as session:
            row = await session.get(MarketplaceCredential, self._marketplace)
            if row is None:
                raise LookupError("marketplace credentials are not seeded: start a worker")
            try:
                return StoredCredentials(
                    refresh_token=self._cipher.decrypt(row.refresh_token),
                    access_token=None
                    if row.access_token is None
                    else self._cipher.decrypt(row.access_token),
                    expires_at=row.access_token_expires_at,
                    degraded_reason=row.degraded_reason,
                )
            except UnreadableSecretError:
                raise CredentialsKeyError from None

    async def replace(self, old_refresh_token: str, tokens: Tokens) -> bool:
        """Compare-and-swap on the sealed value read here: sealing is randomized, so the
        plain old token is compared after opening it, and the UPDATE matches the exact bytes."""
        for _ in range(REPLACE_ATTEMPTS):
            async with self._sessions() as session:
                stored = await session.scalar(
                    select(MarketplaceCredential.refresh_token).where(
                        MarketplaceCredential.marketplace == self._marketplace
                    )
                )
                if stored is None or self._open(stored) != old_refresh_token:
                    return False
                result = await session.execute(
                    update(MarketplaceCredential)
                    .where(
                        MarketplaceCredential.marketplace == self._marketplace,
                        MarketplaceCredential.refresh_token == stored,
                    )
                    .values(
                        refresh_token=self._cipher.encrypt(tokens.refresh_token),
                        access_token=self._cipher.encrypt(tokens.access_token),
                        access_token_expires_at=tokens.expires_at,
                        updated_at=utcnow(),
                    )
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
                if _rowcount(result) == 1:
                    return True
        return False

    def _open(self, sealed: str) -> str:
        try:
            return self._cipher.decrypt(sealed)
        except UnreadableSecretError:
            raise CredentialsKeyError from None

    async def mark_degraded(self, reason: str) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(MarketplaceCredential)
                .where(MarketplaceCredential.marketplace == self._marketplace)
                .values(degraded_reason=reason, access_token=None, updated_at=utcnow())
            )
            await session.commit()


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


async def degraded_reason(session: AsyncSession, marketplace: str = MARKETPLACE) -> str | None:
    reason: str | None = await session.scalar(
        select(MarketplaceCredential.degraded_reason).where(
            MarketplaceCredential.marketplace == marketplace
        )
    )
    return reason
