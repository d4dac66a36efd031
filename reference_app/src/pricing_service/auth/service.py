"""Auth use cases: login (with throttling), refresh with rotation and reuse detection, logout,
authentication of access tokens, and user administration. Each method is one transaction and
commits it itself, because some failures must persist (a failed login, a revoked family).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pricing_service.auth.models import (
    LoginFailure,
    RefreshFamily,
    RefreshToken,
    User,
    as_utc,
    normalize_email,
    utcnow,
)
from pricing_service.auth.passwords import Passwords, password_problem
from pricing_service.auth.permissions import Role
from pricing_service.auth.session_cache import Principal, SessionCache
from pricing_service.auth.tokens import (
    Claims,
    InvalidTokenError,
    TokenCodec,
    TokenType,
    hash_jti,
    new_session_id,
)
from pricing_service.observability.logging import get_logger
from pricing_service.settings import Settings

logger = get_logger(__name__)


class InvalidCredentialsError(Exception):
    """Unknown email, wrong password or inactive account: one answer for all three."""


class LoginThrottledError(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many failed logins")
        self.retry_after_seconds = retry_after_seconds


class UserAdminError(Exception):
    """A user administration request cannot be done; the message is one line."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


# The session check: built once, so a request only binds its two values.
_PRINCIPAL = (
    select(User.id, User.email, User.role, User.is_active)
    .join(RefreshFamily, RefreshFamily.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        RefreshFamily.id == bindparam("session_id"),
        RefreshFamily.revoked_at.is_(None),
    )
)


class Authenticator:
    """Access token → who is calling: verify the JWT, then check its session is live.

    The session check comes from the worker's cache when it has the answer (``session_cache``);
    only then does a request go without a database session at all.
    """

    def __init__(
        self,
        codec: TokenCodec,
        sessions: SessionCache,
        read_sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.codec = codec
        self.sessions = sessions
        self.read_sessions = read_sessions

    async def authenticate(self, access_token: str) -> tuple[Principal, Claims]:
        """The active user behind a valid access token whose session is not revoked."""
        claims = self.codec.decode(access_token, TokenType.ACCESS)
        principal = self.sessions.get(claims.session_id, claims.user_id)
        if principal is None:
            generation = self.sessions.generation
            async with self.read_sessions() as session:
                params = {"user_id": claims.user_id, "session_id": claims.session_id}
                row = (await session.execute(_PRINCIPAL, params)).first()
            if row is None or not row.is_active:
                raise InvalidTokenError("invalid token")
            principal = Principal(row.id, row.email, row.role, row.is_active)
            self.sessions.put(claims.session_id, principal, generation)
        return principal, claims


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


class AuthService:
    def __init__(
        self,
        session: AsyncSession,
        settings: Settings,
        codec: TokenCodec,
        passwords: Passwords,
        sessions: SessionCache,
    ) -> None:
        self.session = session
        self.settings = settings
        self.codec = codec
        self.passwords = passwords
        self.sessions = sessions

    # --- login ---------------------------------------------------------------------------------

    async def login(self, email: str, password: str, client_ip: str) -> TokenPair:
        now = utcnow()
        account_key = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        await self._refuse_when_throttled(account_key, client_ip, now)
        user = await self.session.scalar(select(User).where(User.email == normalize_email(email)))
        valid = await self.passwords.verify(user.password_hash if user else None, password)
        if user is None or not valid or not user.is_active:
            self.session.add(
                LoginFailure(account_key=account_key, client_ip=client_ip, failed_at=now)
            )
            window_start = now - timedelta(seconds=self.settings.login_failure_window_seconds)
            await self.session.execute(
                delete(LoginFailure).where(LoginFailure.failed_at < window_start)
            )
            await self.session.commit()
            logger.info("login_failed", reason="credentials", client_ip=client_ip)
            raise InvalidCredentialsError
        await self.session.execute(
            delete(LoginFailure).where(LoginFailure.account_key == account_key)
        )
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = await self.passwords.hash(password)
        pair = await self._open_session(user, now)
        await self.session.commit()
        logger.info("login_succeeded", user_id=user.id)
        return pair

    async def _refuse_when_throttled(self, account_key: str, client_ip: str, now: datetime) -> None:
        window = timedelta(seconds=self.settings.login_failure_window_seconds)
        limit = self.settings.login_max_failures
        for column, value in (
            (LoginFailure.account_key, account_key),
            (LoginFailure.client_ip, client_ip),
        ):
            count, oldest = (
                await self.session.execute(
                    select(func.count(), func.min(LoginFailure.failed_at)).where(
                        column == value, LoginFailure.failed_at >= now - window
                    )
                )
            ).one()
            if count >= limit and oldest is not None:
                wait = (as_utc(oldest) + window - now).total_seconds()
                logger.warning("login_throttled", key=column.key, client_ip=client_ip)
                raise LoginThrottledError(max(1, math.ceil(wait)))

    async def _open_session(self, user: User, now: datetime) -> TokenPair:
        family = RefreshFamily(id=new_session_id(), user_id=user.id, created_at=now)
        self.session.add(family)
        await self.session.flush()
        return await self._issue_pair(user.id, family.id, now)

    async def _issue_pair(self, user_id: int, session_id: str, now: datetime) -> TokenPair:
        access = self.codec.encode(TokenType.ACCESS, user_id, session_id, now=now)
        refresh = self.codec.encode(TokenType.REFRESH, user_id, session_id, now=now)
        self.session.add(
            RefreshToken(
                jti_hash=hash_jti(refresh.jti),
                family_id=session_id,
                issued_at=refresh.issued_at,
                expires_at=refresh.expires_at,
            )
        )
        return TokenPair(
            access_token=access.token,
            refresh_token=refresh.token,
            expires_in=self.settings.access_token_ttl_seconds,
        )

    # --- refresh and logout ------------------------------------------------------------------

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is spent and a new pair issued in the same family.

        A token that was already spent means it leaked (or a client raced itself): the whole
        family is revoked, the newest token included (RFC 9700 §4.14.2).
        """
        claims = self.codec.decode(refresh_token, TokenType.REFRESH)
        now = utcnow()
        # Writing the family row first serialises concurrent refreshes of one session on both
        # PostgreSQL (row lock) and SQLite (write lock): the second sees the first's outcome.
        locked = await self.session.execute(
            update(RefreshFamily)
            .where(
                RefreshFamily.id == claims.session_id,
                RefreshFamily.user_id == claims.user_id,
                RefreshFamily.revoked_at.is_(None),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(locked) != 1:
            await self.session.rollback()
            raise InvalidTokenError("session revoked")
        jti_hash = hash_jti(claims.jti)
        spent = await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.jti_hash == jti_hash,
                RefreshToken.family_id == claims.session_id,
                RefreshToken.used_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(spent) != 1:
            used_at = await self.session.scalar(
                select(RefreshToken.used_at).where(
                    RefreshToken.jti_hash == jti_hash,
                    RefreshToken.family_id == claims.session_id,
                )
            )
            if used_at is None:
                await self.session.rollback()
                raise InvalidTokenError("invalid token")
            await self._revoke_families(RefreshFamily.id == claims.session_id, "reuse", now)
            await self.session.commit()
            self.sessions.forget(str(claims.user_id))
            logger.warning("refresh_token_reused", user_id=claims.user_id, sid=claims.session_id)
            raise InvalidTokenError("refresh token reused: session revoked")
        user = await self.session.get(User, claims.user_id)
        if user is None or not user.is_active:
            await self.session.rollback()
            raise InvalidTokenError("invalid token")
        pair = await self._issue_pair(user.id, claims.session_id, now)
        await self.session.commit()
        return pair

    async def logout(self, claims: Claims) -> None:
        await self._revoke_families(RefreshFamily.id == claims.session_id, "logout", utcnow())
        await self.session.commit()
        # This worker's next request must already fail; the others hear it from PostgreSQL.
        self.sessions.forget(str(claims.user_id))

    async def _revoke_families(self, condition: object, reason: str, now: datetime) -> int:
        result = await self.session.execute(
            update(RefreshFamily)
            .where(condition, RefreshFamily.revoked_at.is_(None))  # type: ignore[arg-type]
            .values(revoked_at=now, revoked_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result)

    # --- administration (CLI) ----------------------------------------------------------------

    async def create_user(self, email: str, password: str, role: str) -> User:
        _check_role(role)
        _check_password(password)
        user = User(email=email, password_hash=await self.passwords.hash(password), role=role)
        self.session.add(user)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise UserAdminError(
                f"a user with email {normalize_email(email)} already exists"
            ) from None
        return user

    async def set_password(self, email: str, password: str) -> User:
        _check_password(password)
        user = await self._existing(email)
        user.password_hash = await self.passwords.hash(password)
        await self._revoke_families(RefreshFamily.user_id == user.id, "password_changed", utcnow())
        await self.session.commit()
        self.sessions.forget(str(user.id))
        return user

    async def disable_user(self, email: str) -> User:
        user = await self._existing(email)
        user.is_active = False
        await self._revoke_families(RefreshFamily.user_id == user.id, "user_disabled", utcnow())
        await self.session.commit()
        self.sessions.forget(str(user.id))
        return user

    async def _existing(self, email: str) -> User:
        user = await self.session.scalar(select(User).where(User.email == normalize_email(email)))
        if user is None:
            raise UserAdminError(f"no user with email {normalize_email(email)}")
        return user


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise UserAdminError(
            f"unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}"
        )


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise UserAdminError(problem)
