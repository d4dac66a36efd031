"""Auth use cases: login (with throttling), refresh with rotation and reuse detection, logout,
the user's sessions (list, end), authentication of access tokens, and user administration. Each
method commits itself, because some failures must persist (a failed login, a revoked family).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pricing_service.auth.models import RefreshFamily, RefreshToken, User, normalize_email
from pricing_service.auth.passwords import Passwords, password_problem
from pricing_service.auth.permissions import Role
from pricing_service.auth.problems import (
    InvalidCredentialsError,
    InvalidTokenError,
    LoginThrottledError,
    ReauthenticationRequiredError,
    SessionNotFoundError,
)
from pricing_service.auth.session_cache import Principal, SessionCache
from pricing_service.auth.throttle import LoginThrottle, account_key, client_key
from pricing_service.auth.tokens import (
    Claims,
    TokenCodec,
    TokenType,
    hash_jti,
    new_session_id,
)
from pricing_service.core.logging import get_logger
from pricing_service.core.time import as_utc, utcnow
from pricing_service.settings import Settings

logger = get_logger(__name__)
MAX_USER_AGENT_LENGTH = 255  # the column
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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

    async def login(
        self, email: str, password: str, client_address: str | None, user_agent: str | None = None
    ) -> TokenPair:
        """Tokens for valid credentials. The attempt is recorded before the password is checked
        (auth/throttle.py), so neither a burst nor a stranger's guesses get past the limits."""
        now = utcnow()
        account, client = account_key(email), client_key(client_address)
        throttle = LoginThrottle(self.session, self.settings)
        try:
            await throttle.admit(account, client, now)
        except LoginThrottledError:
            logger.warning("login_throttled", client_ip=client)
            raise
        user = await self.session.scalar(select(User).where(User.email == normalize_email(email)))
        valid = await self.passwords.verify(user.password_hash if user else None, password)
        if user is None or not valid or not user.is_active:
            await throttle.failed(now)
            await self.session.commit()
            logger.info("login_failed", reason="credentials", client_ip=client)
            raise InvalidCredentialsError()
        await throttle.succeeded(account, client, now)
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = await self.passwords.hash(password)
        pair = await self._open_session(user, now, client_address, user_agent)
        await self.session.commit()
        logger.info("login_succeeded", user_id=user.id)
        return pair

    def _session_end(self, created_at: datetime) -> datetime:
        return as_utc(created_at) + timedelta(seconds=self.settings.session_max_age_seconds)

    async def _open_session(
        self, user: User, now: datetime, client_address: str | None, user_agent: str | None
    ) -> TokenPair:
        family = RefreshFamily(
            id=new_session_id(),
            user_id=user.id,
            created_at=now,
            client_address=client_address[:64] if client_address else None,
            user_agent=_plain_user_agent(user_agent),
        )
        self.session.add(family)
        await self.session.flush()
        return await self._issue_pair(user.id, family.id, now, self._session_end(now))

    async def _issue_pair(
        self, user_id: int, session_id: str, now: datetime, session_end: datetime
    ) -> TokenPair:
        access = self.codec.encode(
            TokenType.ACCESS, user_id, session_id, now=now, not_after=session_end
        )
        refresh = self.codec.encode(
            TokenType.REFRESH, user_id, session_id, now=now, not_after=session_end
        )
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
        family is revoked, the newest token included (RFC 9700 §4.14.2). A session older than
        SESSION_MAX_AGE_SECONDS is over, however often it was refreshed (ASVS 3.3.2).
        """
        claims = self.codec.decode(refresh_token, TokenType.REFRESH)
        now = utcnow()
        oldest_live = now - timedelta(seconds=self.settings.session_max_age_seconds)
        # Writing the family row first serialises concurrent refreshes of one session on both
        # PostgreSQL (row lock) and SQLite (write lock): the second sees the first's outcome.
        created_at = await self.session.scalar(
            update(RefreshFamily)
            .where(
                RefreshFamily.id == claims.session_id,
                RefreshFamily.user_id == claims.user_id,
                RefreshFamily.revoked_at.is_(None),
                RefreshFamily.created_at > oldest_live,
            )
            .values(last_used_at=now)
            .returning(RefreshFamily.created_at)
            .execution_options(synchronize_session=False)
        )
        if created_at is None:
            revoked_at = await self.session.scalar(
                select(RefreshFamily.revoked_at).where(RefreshFamily.id == claims.session_id)
            )
            await self.session.rollback()
            raise InvalidTokenError("session revoked" if revoked_at else "session expired")
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
        pair = await self._issue_pair(
            user.id, claims.session_id, now, self._session_end(created_at)
        )
        await self.session.commit()
        return pair

    async def logout(self, claims: Claims) -> None:
        await self._revoke_families(RefreshFamily.id == claims.session_id, "logout", utcnow())
        await self.session.commit()
        # This worker's next request must already fail; the others hear it from PostgreSQL.
        self.sessions.forget(str(claims.user_id))

    # --- the caller's sessions (ASVS 3.3.4) -------------------------------------------------

    async def active_sessions(self, user_id: int) -> Sequence[RefreshFamily]:
        """The user's sessions that are neither revoked nor past their lifetime, newest first."""
        oldest_live = utcnow() - timedelta(seconds=self.settings.session_max_age_seconds)
        families = await self.session.scalars(
            select(RefreshFamily)
            .where(
                RefreshFamily.user_id == user_id,
                RefreshFamily.revoked_at.is_(None),
                RefreshFamily.created_at > oldest_live,
            )
            .order_by(RefreshFamily.created_at.desc(), RefreshFamily.id)
        )
        return families.all()

    def session_expires_at(self, family: RefreshFamily) -> datetime:
        return self._session_end(family.created_at)

    async def end_session(self, claims: Claims, session_id: str) -> None:
        """End one of the caller's sessions; another than the current one needs a recent
        sign-in (:class:`ReauthenticationRequiredError`)."""
        if session_id == claims.session_id:
            await self.logout(claims)
            return
        now = utcnow()
        await self._require_recent_sign_in(claims, now)
        ended = await self._revoke_families(
            and_(
                RefreshFamily.id == session_id,
                RefreshFamily.user_id == claims.user_id,
                RefreshFamily.created_at
                > now - timedelta(seconds=self.settings.session_max_age_seconds),
            ),
            "ended_by_user",
            now,
        )
        if ended != 1:
            await self.session.rollback()
            raise SessionNotFoundError()
        await self.session.commit()
        self.sessions.forget(str(claims.user_id))
        logger.info("session_ended", user_id=claims.user_id, sid=session_id)

    async def end_other_sessions(self, claims: Claims) -> int:
        """End every session of the caller but the current one (a recent sign-in needed)."""
        now = utcnow()
        await self._require_recent_sign_in(claims, now)
        ended = await self._revoke_families(
            and_(
                RefreshFamily.user_id == claims.user_id,
                RefreshFamily.id != claims.session_id,
            ),
            "ended_by_user",
            now,
        )
        await self.session.commit()
        self.sessions.forget(str(claims.user_id))
        logger.info("other_sessions_ended", user_id=claims.user_id, count=ended)
        return ended

    async def _require_recent_sign_in(self, claims: Claims, now: datetime) -> None:
        signed_in = await self.session.scalar(
            select(RefreshFamily.created_at).where(
                RefreshFamily.id == claims.session_id,
                RefreshFamily.user_id == claims.user_id,
            )
        )
        window = timedelta(seconds=self.settings.session_reauthentication_seconds)
        if signed_in is None or as_utc(signed_in) < now - window:
            await self.session.rollback()
            raise ReauthenticationRequiredError(self.settings.session_reauthentication_seconds)

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


def _plain_user_agent(value: str | None) -> str | None:
    """The User-Agent as shown to its owner: control characters out, at most 255 characters."""
    if not value:
        return None
    return _CONTROL_CHARACTERS.sub("", value)[:MAX_USER_AGENT_LENGTH] or None


def _check_role(role: str) -> None:
    if role not in {r.value for r in Role}:
        raise UserAdminError(
            f"unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}"
        )


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem is not None:
        raise UserAdminError(problem)
