"""Secrets at rest: tokens the service must store are sealed with Fernet (cryptography).

Fernet is authenticated encryption (AES-128-CBC with an HMAC-SHA256 over the whole token and a
random IV per value), so a stored value that was altered, or sealed with another key, fails to
open instead of decrypting to garbage. ``MultiFernet`` gives rotation: TOKEN_ENCRYPTION_KEYS lists
keys newest first; the first seals, every one opens, and ``reseal`` moves a value to the first.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from pricing_service.settings import Settings


class UnreadableSecretError(Exception):
    """A stored value does not open with any configured key (altered, or another key's)."""


class TokenCipher:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._newest = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def for_settings(cls, settings: Settings) -> TokenCipher:
        return cls(settings.token_encryption_key_list)

    def encrypt(self, value: str) -> str:
        return self._newest.encrypt(value.encode()).decode("ascii")

    def decrypt(self, sealed: str) -> str:
        try:
            return self._all.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError):
            raise UnreadableSecretError from None

    def is_current(self, sealed: str) -> bool:
        """True when the newest key sealed it: nothing left to rotate."""
        try:
            self._newest.decrypt(sealed.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True

    def reseal(self, sealed: str) -> str:
        """The same value sealed with the newest key (MultiFernet.rotate)."""
        try:
            return self._all.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise UnreadableSecretError from None
