"""Login throttling that holds (issue 22): under concurrency, against forged client addresses,
and without letting a stranger lock an account's owner out.

Clients at distinct addresses are httpx clients on one running app, each with its own ASGI
``client`` address, so the throttle sees them exactly as it sees separate machines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.auth.models import LoginFailure, User
from pricing_service.core.time import as_utc
from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.live_server import live_server

PASSWORD = "correct-horse-battery-staple"  # pragma: allowlist secret  # = tests/conftest.py
WRONG = "wrong-password-123"  # pragma: allowlist secret
OWNER = "192.0.2.10"
STRANGER = "198.51.100.66"
ELSEWHERE = "203.0.113.7"


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    """The app's lifespan, and a factory of clients that connect from a given address."""
    clients: list[httpx.AsyncClient] = []

    def at(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40_000))
        client = httpx.AsyncClient(transport=transport, base_url="http://test")
        clients.append(client)
        return client

    async with app.router.lifespan_context(app):
        try:
            yield at
        finally:
            for client in clients:
                await client.aclose()


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def statuses(client: httpx.AsyncClient, email: str, times: int) -> list[int]:
    return [(await login(client, email, WRONG)).status_code for _ in range(times)]


def test_a_stranger_cannot_lock_the_owner_out(
    make_settings: Callable[..., Settings], make_user: Callable[..., User]
) -> None:
    user = make_user()

    async def scenario() -> None:
        async with running(create_app(make_settings())) as at:
            owner, stranger, elsewhere = at(OWNER), at(STRANGER), at(ELSEWHERE)
            assert (await login(owner, user.email, PASSWORD)).status_code == 200
            answers = await statuses(stranger, user.email, 30)
            assert answers[:5] == [401] * 5
            assert set(answers[5:]) == {429}  # the stranger is slowed down ...
            # ... and the owner is not, from their usual address or from a new one.
            assert (await login(owner, user.email, PASSWORD)).status_code == 200
            assert (await login(elsewhere, user.email, PASSWORD)).status_code == 200

    asyncio.run(scenario())


def test_many_addresses_guessing_one_account_are_slowed_but_its_owner_is_not(
    make_settings: Callable[..., Settings], make_user: Callable[..., User]
) -> None:
    user = make_user()
    settings = make_settings(login_max_failures_per_account=4)

    async def scenario() -> None:
        async with running(create_app(settings)) as at:
            owner = at(OWNER)
            assert (await login(owner, user.email, PASSWORD)).status_code == 200
            for n in range(4):
                assert await statuses(at(f"198.51.100.{n + 1}"), user.email, 1) == [401]
            latecomer = await login(at("198.51.100.200"), user.email, WRONG)
            assert latecomer.status_code == 429
            assert latecomer.json()["code"] == "too_many_login_attempts"
            # An address the account signed in from before is not held to the account's limit.
            assert (await login(owner, user.email, PASSWORD)).status_code == 200

    asyncio.run(scenario())


def test_one_address_guessing_many_accounts_is_throttled(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(login_max_failures_per_address=3)

    async def scenario() -> None:
        async with running(create_app(settings)) as at:
            sprayer, bystander = at(STRANGER), at(ELSEWHERE)
            answers = [
                (await login(sprayer, f"victim{n}@example.com", WRONG)).status_code
                for n in range(4)
            ]
            assert answers == [401, 401, 401, 429]
            assert (await login(bystander, "victim9@example.com", WRONG)).status_code == 401

    asyncio.run(scenario())


def _age_failures(db: Session, seconds: int) -> None:
    """As if every recorded attempt had been made ``seconds`` earlier."""
    db.expire_all()
    for failure in db.scalars(select(LoginFailure)):
        failure.failed_at = as_utc(failure.failed_at) - timedelta(seconds=seconds)
    db.commit()


def test_delays_grow_with_each_failure_beyond_the_limit(
    make_settings: Callable[..., Settings], make_user: Callable[..., User], db: Session
) -> None:
    user = make_user()
    settings = make_settings(login_delay_seconds=30)

    async def scenario() -> list[int]:
        waits: list[int] = []
        async with running(create_app(settings)) as at:
            client = at(STRANGER)
            assert await statuses(client, user.email, 5) == [401] * 5
            for _ in range(3):
                refused = await login(client, user.email, WRONG)
                assert refused.status_code == 429
                waits.append(int(refused.headers["retry-after"]))
                _age_failures(db, waits[-1])  # as if the client waited exactly that long
                assert await statuses(client, user.email, 1) == [401]
        return waits

    waits = asyncio.run(scenario())
    assert 25 <= waits[0] <= 30
    assert waits[1] > waits[0]
    assert waits[2] > waits[1]


def test_twenty_concurrent_wrong_guesses_are_not_all_evaluated(
    app: FastAPI, make_user: Callable[..., User], db: Session
) -> None:
    """Each attempt is recorded before its password is checked, so a burst cannot slip past the
    limit; on PostgreSQL the 20 requests really overlap in the database."""
    user = make_user()

    async def burst() -> Sequence[httpx.Response]:
        async with running(app) as at:
            client = at(STRANGER)
            return await asyncio.gather(*(login(client, user.email, WRONG) for _ in range(20)))

    answers = asyncio.run(burst())
    codes = sorted(r.status_code for r in answers)
    assert set(codes) <= {401, 429}, [r.text for r in answers]
    assert codes.count(401) <= 5, codes
    db.expire_all()
    assert (db.scalar(select(func.count()).select_from(LoginFailure)) or 0) <= 5


def test_a_forged_forwarded_address_neither_fails_nor_escapes_the_throttle(
    database_url: str, make_user: Callable[..., User]
) -> None:
    """Through uvicorn, with the loopback as a trusted proxy: an X-Forwarded-For longer than any
    address, different on every request, is no new client and never a 500 (issue 22: 20 such
    guesses got 500s on PostgreSQL, and the 21st, with the right password, got tokens)."""
    user = make_user()
    with (
        live_server(database_url, FORWARDED_ALLOW_IPS="127.0.0.1") as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        codes = []
        for n in range(21):
            password = PASSWORD if n == 20 else WRONG
            forged = "9" * 80 + str(n)
            response = http.post(
                "/api/auth/login",
                json={"email": user.email, "password": password},
                headers={"X-Forwarded-For": forged},
            )
            codes.append(response.status_code)
    assert 500 not in codes, codes
    assert codes[-1] == 429, codes
