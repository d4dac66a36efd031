"""Password hashing with argon2id (argon2-cffi), off the event loop.

Production uses argon2-cffi's defaults, the RFC 9106 low-memory profile (t=3, m=64 MiB, p=4).
APP_ENV=test uses a cheap profile so the suite stays fast; it is never chosen elsewhere.
Unknown users are verified against a dummy hash made with the same parameters, so a login for
an account that does not exist costs the same time as a wrong password.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pricing_service.core.settings import Environment
from pricing_service.settings import Settings

MAX_PASSWORD_LENGTH = 1024  # what a login may send: caps the work a request can cause
MIN_PASSWORD_LENGTH = 12
MAX_NEW_PASSWORD_LENGTH = 128  # ASVS 4.0.3 V2.1.2: 64 allowed, more than 128 refused
_SPACE_RUNS = re.compile(" {2,}")


class Passwords:
    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self._dummy_hash = hasher.hash(secrets.token_urlsafe(24))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    def hash_blocking(self, password: str) -> str:
        """For scripts and test factories; request handlers use :meth:`hash`."""
        return self._hasher.hash(password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches; an unknown user (None) costs the same time."""
        return await anyio.to_thread.run_sync(self._verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return password_hash is not None


@lru_cache(maxsize=2)
def _passwords(cheap: bool) -> Passwords:
    if cheap:
        return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return Passwords(PasswordHasher())  # RFC 9106 low-memory profile


def passwords_for(settings: Settings) -> Passwords:
    """The hasher for this environment (built once per process, with its dummy hash)."""
    return _passwords(settings.app_env is Environment.TEST)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None. Length is what matters (NIST SP 800-63B): no
    composition rules; runs of spaces count as one (ASVS V2.1.1); nothing is truncated."""
    if len(_SPACE_RUNS.sub(" ", password)) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_NEW_PASSWORD_LENGTH:
        return f"a password has at most {MAX_NEW_PASSWORD_LENGTH} characters"
    return None
