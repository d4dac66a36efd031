"""The typed MercadoLibre client against the fake marketplace, in-process (ASGITransport).

Error typing, the one-refresh-then-one-retry rule on 401, invalid_grant degrading without a
loop, single-use refresh tokens rotated atomically, exact prices, and no token in any log line.
The same client over real HTTP is in test_ml_client_http.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from pricing_service.core.logging import configure_logging
from pricing_service.sync.client import (
    ItemInactiveError,
    ItemNotFoundError,
    MarketplaceAuthError,
    MemoryTokenStore,
    MercadoLibreClient,
    PermanentItemError,
    PriceRejectedError,
    StoredCredentials,
    Tokens,
    TransientError,
)
from pricing_service.sync.ratelimit import RateLimiter
from pricing_service_dev.fake_marketplace import FakeConfig, FakeItem, FakeMarketplace, Fault

pytestmark = pytest.mark.anyio

CLIENT_ID = "unit-client"
CLIENT_SECRET = "unit-secret"  # pragma: allowlist secret
INITIAL_REFRESH = "TG-initial"  # pragma: allowlist secret


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> FakeMarketplace:
    return FakeMarketplace(
        FakeConfig(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            initial_refresh_token=INITIAL_REFRESH,
            min_price=Decimal("1.00"),
        )
    )


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore(INITIAL_REFRESH)


def make_client(
    transport: httpx.AsyncBaseTransport,
    store: MemoryTokenStore,
    *,
    rate_limiter: RateLimiter | None = None,
) -> MercadoLibreClient:
    return MercadoLibreClient(
        base_url="http://marketplace.test",
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        token_store=store,
        rate_limiter=rate_limiter,
        transport=transport,
    )


@pytest.fixture
async def client(fake: FakeMarketplace, store: MemoryTokenStore) -> AsyncIterator[Any]:
    async with make_client(httpx.ASGITransport(app=fake), store) as ml:
        yield ml


def token_calls(fake: FakeMarketplace) -> list[int]:
    return [r.status for r in fake.requests if r.path == "/oauth/token"]


async def test_update_price_sends_exact_decimal_and_rotates_the_refresh_token(
    client: MercadoLibreClient, fake: FakeMarketplace, store: MemoryTokenStore
) -> None:
    item = await client.update_price("MLA1", Decimal("1999.90"))

    assert item.price == Decimal("1999.90")
    assert fake.items["MLA1"].price == Decimal("1999.90")
    put = [r for r in fake.requests if r.method == "PUT"]
    assert [(p.price, p.status, p.applied) for p in put] == [("1999.90", 200, True)]
    assert token_calls(fake) == [200]
    stored = await store.load()
    assert stored.refresh_token != INITIAL_REFRESH
    assert stored.refresh_token in fake.refresh_tokens  # the new single-use token
    assert INITIAL_REFRESH not in fake.refresh_tokens
    # The access token is reused: a second call needs no new grant.
    await client.update_price("MLA1", Decimal("10.00"))
    assert token_calls(fake) == [200]


async def test_get_item(client: MercadoLibreClient, fake: FakeMarketplace) -> None:
    await client.update_price("MLA2", Decimal("25.50"))
    item = await client.get_item("MLA2")
    assert (item.id, item.price, item.status) == ("MLA2", Decimal("25.50"), "active")


@pytest.mark.parametrize(
    ("arrange", "error_type", "words"),
    [
        (lambda f: f.missing.add("MLA9"), ItemNotFoundError, "Item with id MLA9 not found"),
        (
            lambda f: f.items.__setitem__("MLA9", FakeItem(Decimal("5"), status="closed")),
            ItemInactiveError,
            "[status:closed]",
        ),
        (lambda f: None, PriceRejectedError, "below the minimum 1.00"),
    ],
    ids=["not-found", "inactive", "price-rejected"],
)
async def test_permanent_item_errors_carry_the_marketplace_message(
    client: MercadoLibreClient,
    fake: FakeMarketplace,
    arrange: Callable[[FakeMarketplace], object],
    error_type: type[PermanentItemError],
    words: str,
) -> None:
    arrange(fake)
    with pytest.raises(error_type) as caught:
        await client.update_price("MLA9", Decimal("0.50"))
    assert words in caught.value.message
    assert caught.value.item_id == "MLA9"
    assert isinstance(caught.value, PermanentItemError)


async def test_expired_access_token_means_one_refresh_then_one_retry(
    client: MercadoLibreClient, fake: FakeMarketplace
) -> None:
    await client.update_price("MLA1", Decimal("10.00"))
    fake.access_tokens.clear()  # the marketplace expired every access token

    await client.update_price("MLA1", Decimal("11.00"))

    assert token_calls(fake) == [200, 200]
    statuses = [r.status for r in fake.requests if r.method == "PUT"]
    assert statuses == [200, 401, 200]
    assert fake.items["MLA1"].price == Decimal("11.00")


async def test_401_after_a_fresh_token_is_an_auth_error_without_a_second_refresh(
    store: MemoryTokenStore,
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/oauth/token":
            body = {"access_token": f"A{len(calls)}", "refresh_token": f"R{len(calls)}"}
            return httpx.Response(200, json={**body, "expires_in": 3600})
        return httpx.Response(401, json={"message": "invalid access token", "status": 401})

    async with make_client(httpx.MockTransport(handler), store) as ml:
        with pytest.raises(MarketplaceAuthError, match="refused a fresh access token"):
            await ml.update_price("MLA1", Decimal("10.00"))
    assert calls == ["/oauth/token", "/items/MLA1", "/oauth/token", "/items/MLA1"]


async def test_invalid_grant_degrades_once_and_never_loops(
    client: MercadoLibreClient, fake: FakeMarketplace, store: MemoryTokenStore
) -> None:
    fake.grants_revoked = True

    with pytest.raises(MarketplaceAuthError, match="invalid_grant"):
        await client.update_price("MLA1", Decimal("10.00"))
    with pytest.raises(MarketplaceAuthError, match="invalid_grant"):
        await client.update_price("MLA1", Decimal("10.00"))

    assert token_calls(fake) == [400]  # the second call never asked the marketplace again
    assert (await store.load()).degraded_reason is not None
    assert not [r for r in fake.requests if r.method == "PUT"]


async def test_invalid_client_is_an_auth_error(fake: FakeMarketplace) -> None:
    store = MemoryTokenStore(INITIAL_REFRESH)
    async with MercadoLibreClient(
        base_url="http://marketplace.test",
        client_id="someone-else",
        client_secret=SecretStr("wrong"),
        token_store=store,
        transport=httpx.ASGITransport(app=fake),
    ) as ml:
        with pytest.raises(MarketplaceAuthError, match="invalid_client"):
            await ml.get_item("MLA1")


async def test_two_clients_refreshing_at_once_keep_the_grant(
    fake: FakeMarketplace, store: MemoryTokenStore
) -> None:
    """Refresh tokens are single-use: the loser of the race adopts the winner's tokens."""
    transport = httpx.ASGITransport(app=fake)
    async with make_client(transport, store) as first, make_client(transport, store) as second:
        await asyncio.gather(
            first.update_price("MLA1", Decimal("10.00")),
            second.update_price("MLA2", Decimal("20.00")),
        )
    assert (await store.load()).degraded_reason is None
    assert token_calls(fake).count(200) == 1
    assert fake.items["MLA1"].price == Decimal("10.00")
    assert fake.items["MLA2"].price == Decimal("20.00")


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_transient(
    client: MercadoLibreClient, fake: FakeMarketplace, status: int
) -> None:
    fake.faults.append(Fault(remaining=1, status=status))
    with pytest.raises(TransientError, match=str(status)) as caught:
        await client.update_price("MLA1", Decimal("10.00"))
    assert not caught.value.uncertain
    assert "MLA1" not in fake.items or fake.items["MLA1"].updates == 0


async def test_429_is_transient_with_retry_after_and_pauses_the_limiter(
    fake: FakeMarketplace, store: MemoryTokenStore
) -> None:
    limiter = RateLimiter(1000)
    fake.faults.append(Fault(remaining=1, status=429, retry_after=7))
    async with make_client(httpx.ASGITransport(app=fake), store, rate_limiter=limiter) as ml:
        with pytest.raises(TransientError, match="429") as caught:
            await ml.update_price("MLA1", Decimal("10.00"))
    assert caught.value.retry_after == 7
    assert 6 < limiter.paused_for <= 7


async def test_connection_error_is_transient(store: MemoryTokenStore) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with make_client(httpx.MockTransport(refuse), store) as ml:
        with pytest.raises(TransientError, match="connection error"):
            await ml.get_item("MLA1")


async def test_timeout_on_a_write_is_transient_and_uncertain(store: MemoryTokenStore) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            body = {"access_token": "A", "refresh_token": "R", "expires_in": 3600}
            return httpx.Response(200, json=body)
        raise httpx.ReadTimeout("timed out", request=request)

    async with make_client(httpx.MockTransport(slow), store) as ml:
        with pytest.raises(TransientError, match="timeout") as put:
            await ml.update_price("MLA1", Decimal("10.00"))
        with pytest.raises(TransientError, match="timeout") as get:
            await ml.get_item("MLA1")
    assert put.value.uncertain  # the write may have happened: verify before pushing again
    assert not get.value.uncertain


async def test_tokens_and_secret_never_reach_logs_or_reprs(
    client: MercadoLibreClient,
    fake: FakeMarketplace,
    store: MemoryTokenStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG", "json")
    try:
        await client.update_price("MLA1", Decimal("10.00"))
        fake.access_tokens.clear()
        await client.update_price("MLA1", Decimal("12.00"))
        fake.grants_revoked = True
        fake.access_tokens.clear()
        with pytest.raises(MarketplaceAuthError) as caught:
            await client.update_price("MLA1", Decimal("13.00"))
    finally:
        configure_logging("INFO", "json")

    output = capsys.readouterr().out
    assert "marketplace_token_refreshed" in output
    stored = await store.load()
    secrets = [CLIENT_SECRET, INITIAL_REFRESH, stored.refresh_token, *fake.access_tokens]
    secrets += list(fake.refresh_tokens)
    for secret in secrets:
        assert secret not in output
        assert secret not in str(caught.value)
        assert secret not in repr(stored)
    assert "A-secret" not in repr(Tokens("A-secret", "R-secret", datetime.now(UTC)))
    assert "R-secret" not in repr(StoredCredentials("R-secret", "A-secret"))


async def test_unreadable_token_response_is_transient(store: MemoryTokenStore) -> None:
    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>maintenance</html>")

    async with make_client(httpx.MockTransport(garbage), store) as ml:
        with pytest.raises(TransientError, match="unreadable token response"):
            await ml.get_item("MLA1")


async def test_rate_limiter_spaces_requests_and_honours_pause() -> None:
    now = [0.0]
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 6))
        now[0] += seconds

    limiter = RateLimiter(10, burst_seconds=0, clock=lambda: now[0], sleep=fake_sleep)
    for _ in range(3):
        await limiter.acquire()
    assert sleeps == [0.1, 0.1]
    limiter.pause(2.0)
    await limiter.acquire()
    assert sleeps[2] == 2.0
    assert now[0] == pytest.approx(2.2)


def test_fake_token_endpoint_rejects_other_grant_types(fake: FakeMarketplace) -> None:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=fake), base_url="http://m"
        ) as http:
            return await http.post("/oauth/token", data={"grant_type": "password"})

    response = asyncio.run(run())
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "unsupported_grant_type"
