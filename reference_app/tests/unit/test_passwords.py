"""Passwords (OWASP ASVS 4.0.3 V2.1, V2.4): length is what counts, nothing truncates, argon2id
with a unique salt per hash. policies/auth.md's ASVS table names these tests."""

from __future__ import annotations

import base64

from argon2 import PasswordHasher

from pricing_service.auth.passwords import Passwords, password_problem


def test_new_passwords_need_12_characters_once_runs_of_spaces_are_one() -> None:  # V2.1.1
    assert password_problem("a" + " " * 20 + "bcdefghij") is not None  # "a bcdefghij": 11
    assert password_problem("a" + " " * 20 + "bcdefghijk") is None  # 12
    assert password_problem("correct horse battery") is None


def test_64_characters_are_allowed_and_more_than_128_refused() -> None:  # V2.1.2
    assert password_problem("p" * 64) is None
    assert password_problem("p" * 128) is None
    assert password_problem("p" * 129) == "a password has at most 128 characters"


def test_any_printable_unicode_and_no_composition_rules() -> None:  # V2.1.4, V2.1.9, V2.1.10
    for password in ("😀" * 12, "ねこねこねこねこねこねこ", "aaaaaaaaaaaa", "spaces are fine here"):
        assert password_problem(password) is None


def test_nothing_is_truncated() -> None:  # V2.1.3
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    stored = passwords.hash_blocking("x" * 200 + "a")
    assert passwords._verify(stored, "x" * 200 + "a")
    assert not passwords._verify(stored, "x" * 200 + "b")


def test_hashes_are_argon2id_with_a_unique_salt_each() -> None:  # V2.4.1, V2.4.2, V2.10.3
    passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    first, second = (passwords.hash_blocking("correct horse battery") for _ in range(2))
    assert first.startswith("$argon2id$")
    salts = [h.split("$")[4] for h in (first, second)]
    assert salts[0] != salts[1]
    assert all(len(base64.b64decode(s + "==")) >= 16 for s in salts)  # 128 bits, not 32
