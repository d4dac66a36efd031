"""SessionCache: answers only while listening, forgets by user, never keeps a stale read."""

from __future__ import annotations

import pytest

from pricing_service.auth.session_cache import (
    MAX_ENTRIES,
    Principal,
    SessionCache,
)

ALICE = Principal(1, "alice@example.com", "admin", True)
BOB = Principal(2, "bob@example.com", "viewer", True)


def _listening(ttl: float = 60) -> SessionCache:
    cache = SessionCache(ttl_seconds=ttl)
    cache.set_listening(True)
    return cache


def test_a_cache_that_is_not_listening_neither_keeps_nor_answers() -> None:
    cache = SessionCache(ttl_seconds=60)
    cache.put("s1", ALICE, cache.generation)
    assert cache.get("s1", 1) is None
    assert len(cache) == 0


def test_a_listening_cache_answers_for_the_same_session_and_user_only() -> None:
    cache = _listening()
    cache.put("s1", ALICE, cache.generation)
    assert cache.get("s1", 1) is ALICE
    assert cache.get("s2", 1) is None
    assert cache.get("s1", 2) is None  # a token of another user naming this session
    assert len(cache) == 0  # ... and the entry is gone


def test_a_read_that_raced_a_notification_is_not_kept() -> None:
    cache = _listening()
    generation = cache.generation  # the request starts reading the database
    cache.forget("1")  # a revocation is notified meanwhile
    cache.put("s1", ALICE, generation)
    assert cache.get("s1", 1) is None


def test_forget_drops_one_users_sessions_or_everyone() -> None:
    cache = _listening()
    for session_id, principal in (("a1", ALICE), ("a2", ALICE), ("b1", BOB)):
        cache.put(session_id, principal, cache.generation)
    cache.forget("1")
    assert (cache.get("a1", 1), cache.get("a2", 1), cache.get("b1", 2)) == (None, None, BOB)
    cache.forget("")  # TRUNCATE
    assert len(cache) == 0


def test_losing_the_connection_empties_and_turns_off_the_cache() -> None:
    cache = _listening()
    cache.put("s1", ALICE, cache.generation)
    generation = cache.generation
    cache.set_listening(False)
    assert (len(cache), cache.listening) == (0, False)
    cache.set_listening(True)
    cache.put("s1", ALICE, generation)  # read before the outage: not trusted
    assert cache.get("s1", 1) is None


def test_entries_expire_after_the_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr("pricing_service.auth.session_cache.time.monotonic", lambda: now[0])
    cache = _listening(ttl=60)
    cache.put("s1", ALICE, cache.generation)
    now[0] += 59.9
    assert cache.get("s1", 1) is ALICE
    now[0] += 0.1
    assert cache.get("s1", 1) is None


def test_a_zero_ttl_keeps_nothing() -> None:
    cache = _listening(ttl=0)
    cache.put("s1", ALICE, cache.generation)
    assert len(cache) == 0


def test_the_cache_is_bounded_and_drops_its_oldest_entry() -> None:
    cache = _listening()
    for n in range(MAX_ENTRIES + 1):
        cache.put(f"s{n}", ALICE, cache.generation)
    assert len(cache) == MAX_ENTRIES
    assert cache.get("s0", 1) is None
    assert cache.get(f"s{MAX_ENTRIES}", 1) is ALICE
