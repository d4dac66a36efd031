"""Auth tables: users, refresh-token families (one per login session), refresh tokens, login
attempts and the addresses each account signed in from. The schema itself lives in migrations
0002 and 0006; these mirror it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from pricing_service.auth.permissions import Role
from pricing_service.core.db import Base
from pricing_service.core.time import utcnow

ROLE_VALUES = tuple(role.value for role in Role)


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: stored and looked up trimmed and lower-cased."""
    return email.strip().lower()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role!r})"


class RefreshFamily(Base):
    """One login session: every refresh token rotated from one login shares it (``sid`` claim).

    Revoking the family ends the session: its refresh tokens and its access tokens stop working.
    """

    __tablename__ = "refresh_families"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    # Where and with what the session was opened, so its owner can recognise it (ASVS 3.3.4).
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class RefreshToken(Base):
    """A refresh token, known by the SHA-256 of its jti (the token itself is never stored)."""

    __tablename__ = "refresh_tokens"

    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(
        ForeignKey("refresh_families.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """One login attempt, recorded before its password is checked: a failure unless it succeeds
    (then it is deleted). Counted per account, per client address and per both, over a window."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_key_failed_at", "account_key", "failed_at"),
        Index("ix_login_failures_client_ip_failed_at", "client_ip", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the normalised email: counts the same whether or not the account exists.
    account_key: Mapped[str] = mapped_column(String(64))
    # The client's address as the throttle counts it (auth/throttle.py: an IPv6 /64 is one).
    client_ip: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginKnownAddress(Base):
    """An address an account signed in from: it is not held to the account's own limit, so a
    stranger guessing from elsewhere cannot lock the owner out (auth/throttle.py)."""

    __tablename__ = "login_known_addresses"

    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_ip: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
