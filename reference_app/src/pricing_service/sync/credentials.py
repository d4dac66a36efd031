"""The seller's MercadoLibre tokens in the database (``marketplace_credentials``).

The row is seeded from ML_REFRESH_TOKEN the first time a worker starts. MercadoLibre refresh
tokens are single-use, so each refresh stores the new pair with a compare-and-swap on the old
refresh token: two processes refreshing at once never overwrite a newer grant with an older one.
Setting a different ML_REFRESH_TOKEN (after re-authorizing the seller) re-seeds the row and
clears a degraded state on the next worker start.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pricing_service.observability.logging import get_logger
from pricing_service.pricing.models import utcnow
from pricing_service.settings import Settings
from pricing_service.sync.client import StoredCredentials, Tokens
from pricing_service.sync.models import MARKETPLACE, MarketplaceCredential

logger = get_logger(__name__)


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DatabaseTokenStore:
    """A :class:`~pricing_service.sync.client.TokenStore` on the marketplace_credentials row."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], marketplace: str = MARKETPLACE
    ) -> None:
        self._sessions = sessions
        self._marketplace = marketplace

    async def seed(self, settings: Settings) -> None:
        """Create the row from ML_REFRESH_TOKEN, or re-seed it when that setting changed."""
        initial = settings.ml_initial_refresh_token.get_secret_value()
        seed = fingerprint(initial)
        async with self._sessions() as session:
            row = await session.get(MarketplaceCredential, self._marketplace)
            if row is not None and row.seed_fingerprint == seed:
                return
            if row is None:
                session.add(
                    MarketplaceCredential(
                        marketplace=self._marketplace,
                        refresh_token=initial,
                        seed_fingerprint=seed,
                        updated_at=utcnow(),
                    )
                )
            else:
                row.refresh_token = initial
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

    async def load(self) -> StoredCredentials:
        async with self._sessions() as session:
            row = await session.get(MarketplaceCredential, self._marketplace)
            if row is None:
                raise LookupError("marketplace credentials are not seeded: start a worker")
            return StoredCredentials(
                refresh_token=row.refresh_token,
                access_token=row.access_token,
                expires_at=row.access_token_expires_at,
                degraded_reason=row.degraded_reason,
            )

    async def replace(self, old_refresh_token: str, tokens: Tokens) -> bool:
        async with self._sessions() as session:
            result = await session.execute(
                update(MarketplaceCredential)
                .where(
                    MarketplaceCredential.marketplace == self._marketplace,
                    MarketplaceCredential.refresh_token == old_refresh_token,
                )
                .values(
                    refresh_token=tokens.refresh_token,
                    access_token=tokens.access_token,
                    access_token_expires_at=tokens.expires_at,
                    updated_at=utcnow(),
                )
            )
            await session.commit()
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def mark_degraded(self, reason: str) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(MarketplaceCredential)
                .where(MarketplaceCredential.marketplace == self._marketplace)
                .values(degraded_reason=reason, access_token=None, updated_at=utcnow())
            )
            await session.commit()


async def degraded_reason(session: AsyncSession, marketplace: str = MARKETPLACE) -> str | None:
    reason: str | None = await session.scalar(
        select(MarketplaceCredential.degraded_reason).where(
            MarketplaceCredential.marketplace == marketplace
        )
    )
    return reason
