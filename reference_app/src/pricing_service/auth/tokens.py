"""JWT access and refresh tokens (PyJWT): one allow-listed algorithm, explicit claims, key ids.

Every token carries ``sub`` (user id), ``type`` (access|refresh), ``sid`` (the session, i.e. the
refresh-token family), ``jti``, ``iat``, ``nbf``, ``exp``, ``iss`` and ``aud``; all are required on
decode, the algorithm is fixed by configuration (never taken from the token) and the ``kid`` header
selects the verification key, so a previous key can keep verifying during a key rotation.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from pricing_service.auth.problems import InvalidTokenError
from pricing_service.settings import Settings

REQUIRED_CLAIMS = ("sub", "type", "sid", "jti", "iat", "nbf", "exp", "iss", "aud")
MAX_TOKEN_LENGTH = 4096  # far above ours (~400 bytes); refuses junk before any parsing
# Verified tokens remembered per process (a client sends the same access token for minutes):
# parsing and checking a JWT costs more than the rest of GET /api/auth/me (reference_app/bench).
VERIFIED_CACHE_SIZE = 10_000


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


_WRONG_TYPE = {
    TokenType.ACCESS: "not an access token",
    TokenType.REFRESH: "not a refresh token",
}


@dataclass(frozen=True)
class Claims:
    user_id: int
    type: TokenType
    session_id: str
    jti: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    issued_at: datetime
    expires_at: datetime


def new_session_id() -> str:
    return uuid.uuid4().hex


def hash_jti(jti: str) -> str:
    """Refresh tokens are stored by this digest only: a database leak yields no usable token."""
    return hashlib.sha256(jti.encode()).hexdigest()


def _key_id(material: bytes) -> str:
    return hashlib.sha256(b"pricing-service-kid:" + material).hexdigest()[:16]


class TokenCodec:
    """Encodes and decodes the service's tokens with the keys and lifetimes from settings."""

    def __init__(self, settings: Settings) -> None:
        self.algorithm = settings.jwt_algorithm
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_seconds
        self.lifetimes = {
            TokenType.ACCESS: timedelta(seconds=settings.access_token_ttl_seconds),
            TokenType.REFRESH: timedelta(seconds=settings.refresh_token_ttl_seconds),
        }
        self._verification_keys: dict[str, Any] = {}
        self._verified: dict[str, Claims] = {}
        if self.algorithm.startswith("HS"):
            current = settings.jwt_signing_secret.encode()
            self._signing_key: Any = current
            self.signing_kid = _key_id(current)
            self._verification_keys[self.signing_kid] = current
            if settings.jwt_previous_secret is not None:
                previous = settings.jwt_previous_secret.get_secret_value().encode()
                self._verification_keys[_key_id(previous)] = previous
        else:
            # Settings validation guarantees both files for asymmetric algorithms.
            assert settings.jwt_private_key_file is not None
            assert settings.jwt_public_key_file is not None
            self._signing_key = settings.jwt_private_key_file.read_bytes()
            public = settings.jwt_public_key_file.read_bytes()
            self.signing_kid = _key_id(public)
            self._verification_keys[self.signing_kid] = public
            if settings.jwt_previous_public_key_file is not None:
                previous = settings.jwt_previous_public_key_file.read_bytes()
                self._verification_keys[_key_id(previous)] = previous

    def encode(
        self,
        token_type: TokenType,
        user_id: int,
        session_id: str,
        *,
        now: datetime | None = None,
        not_after: datetime | None = None,
    ) -> IssuedToken:
        """A signed token; ``not_after`` caps its expiry (the session's absolute end)."""
        issued_at = (now or datetime.now(UTC)).replace(microsecond=0)
        expires_at = issued_at + self.lifetimes[token_type]
        if not_after is not None:
            expires_at = min(expires_at, not_after.replace(microsecond=0))
        jti = secrets.token_urlsafe(24)
        payload = {
            "sub": str(user_id),
            "type": token_type.value,
            "sid": session_id,
            "jti": jti,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": expires_at,
            "iss": self.issuer,
            "aud": self.audience,
        }
        token = jwt.encode(
            payload, self._signing_key, algorithm=self.algorithm, headers={"kid": self.signing_kid}
        )
        return IssuedToken(token=token, jti=jti, issued_at=issued_at, expires_at=expires_at)

    def decode(self, token: str, expected: TokenType) -> Claims:
        """Verified claims of a token of the expected type, or :class:`InvalidTokenError`.

        A token verified before is not parsed again: the cache is keyed by the whole token, so
        its signature included, and the keys never change in a running process. Only ``exp``
        can turn a verified token invalid later; it is checked on every call.
        """
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify(token, expected)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]  # the oldest entry
            self._verified[token] = claims
        elif claims.type is not expected:
            raise InvalidTokenError(_WRONG_TYPE[expected])
        # PyJWT's rule: expired once exp <= now - leeway.
        if claims.expires_at.timestamp() <= time.time() - self.leeway:
            self._verified.pop(token, None)
            raise InvalidTokenError("token expired")
        return claims

    def _verify(self, token: str, expected: TokenType) -> Claims:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidTokenError("malformed token")
        try:
            header = jwt.get_unverified_header(token)
            key = self._verification_keys.get(str(header.get("kid")))
            if key is None:
                raise InvalidTokenError("unknown signing key")
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS), "strict_aud": True},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("token expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidTokenError("token not valid yet") from None
        except jwt.InvalidTokenError:
            raise InvalidTokenError("invalid token") from None
        return self._claims(payload, expected)

    def _claims(self, payload: dict[str, Any], expected: TokenType) -> Claims:
        if payload.get("type") != expected.value:
            raise InvalidTokenError(_WRONG_TYPE[expected])
        sub, sid, jti = payload.get("sub"), payload.get("sid"), payload.get("jti")
        if not (isinstance(sub, str) and sub.isdigit() and len(sub) <= 18):
            raise InvalidTokenError("invalid subject")
        if not (isinstance(sid, str) and 0 < len(sid) <= 64):
            raise InvalidTokenError("invalid session")
        if not (isinstance(jti, str) and 0 < len(jti) <= 128):
            raise InvalidTokenError("invalid token id")
        return Claims(
            user_id=int(sub),
            type=expected,
            session_id=sid,
            jti=jti,
            issued_at=datetime.fromtimestamp(int(payload["iat"]), UTC),
            expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
        )
