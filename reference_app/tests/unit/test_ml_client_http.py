"""The MercadoLibre client over real HTTP against the fake marketplace (uvicorn)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from liveproc import free_port
from pydantic import SecretStr

from pricing_service.settings import DEV_ML_CLIENT_ID, DEV_ML_CLIENT_SECRET, DEV_ML_REFRESH_TOKEN
from pricing_service.sync.client import (
    ItemInactiveError,
    MarketplaceAuthError,
    MemoryTokenStore,
    MercadoLibreClient,
    TransientError,
)
from pricing_service.sync.ratelimit import RateLimiter
from tests.sync_support import FakeServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(url: str, store: MemoryTokenStore, **options: object) -> MercadoLibreClient:
    return MercadoLibreClient(
        base_url=url,
        client_id=DEV_ML_CLIENT_ID,
        client_secret=SecretStr(DEV_ML_CLIENT_SECRET),
        token_store=store,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore(DEV_ML_REFRESH_TOKEN)


@pytest.fixture
async def client(
    fake_server: FakeServer, store: MemoryTokenStore
) -> AsyncIterator[MercadoLibreClient]:
    async with make_client(fake_server.url, store) as ml:
        yield ml


async def test_push_read_and_rotate_over_http(
    client: MercadoLibreClient, fake_server: FakeServer, store: MemoryTokenStore
) -> None:
    await client.update_price("MLA100", Decimal("149.99"))
    assert (await client.get_item("MLA100")).price == Decimal("149.99")
    assert fake_server.items()["MLA100"] == {"price": "149.99", "status": "active", "updates": 1}
    assert (await store.load()).refresh_token != DEV_ML_REFRESH_TOKEN

    fake_server.expire_tokens()
    await client.update_price("MLA100", Decimal("150.00"))
    tokens = [r["status"] for r in fake_server.requests("/oauth/token")]
    assert tokens == [200, 200]  # one refresh for the expired access token, no more


async def test_rate_limit_answers_429_with_retry_after(
    fake_server: FakeServer, store: MemoryTokenStore
) -> None:
    fake_server.configure(rate_limit_per_second=1, retry_after_seconds=3)
    limiter = RateLimiter(1000)
    async with make_client(fake_server.url, store, rate_limiter=limiter) as ml:
        await ml.update_price("MLA1", Decimal("10.00"))
        with pytest.raises(TransientError, match="429") as caught:
            await ml.update_price("MLA2", Decimal("10.00"))
    assert caught.value.retry_after == 3
    assert limiter.paused_for > 2


async def test_timeout_is_transient_and_the_write_may_have_landed(
    fake_server: FakeServer, store: MemoryTokenStore
) -> None:
    fake_server.fault(1, stall_seconds=0.6)
    async with make_client(fake_server.url, store, timeout=httpx.Timeout(0.2)) as ml:
        with pytest.raises(TransientError, match="timeout") as caught:
            await ml.update_price("MLA7", Decimal("70.00"))
        assert caught.value.uncertain
        # The stalled write was applied after the client gave up: hence "verify, then retry".
        for _ in range(20):
            if fake_server.items().get("MLA7", {}).get("price") == "70.00":
                break
            await asyncio.sleep(0.1)
        assert (await ml.get_item("MLA7")).price == Decimal("70.00")


async def test_5xx_over_http_is_transient(
    client: MercadoLibreClient, fake_server: FakeServer
) -> None:
    fake_server.fault(1, status=502)
    with pytest.raises(TransientError, match="502"):
        await client.update_price("MLA1", Decimal("10.00"))
    await client.update_price("MLA1", Decimal("10.00"))
    assert fake_server.applied_puts() == {"MLA1": 1}


async def test_inactive_item_over_http(client: MercadoLibreClient, fake_server: FakeServer) -> None:
    fake_server.seed_item("MLA5", price="5.00", status="paused")
    with pytest.raises(ItemInactiveError, match=r"\[status:paused\]"):
        await client.update_price("MLA5", Decimal("6.00"))


async def test_invalid_grant_over_http(
    client: MercadoLibreClient, fake_server: FakeServer, store: MemoryTokenStore
) -> None:
    fake_server.revoke_grants()
    with pytest.raises(MarketplaceAuthError, match="invalid_grant"):
        await client.get_item("MLA1")
    assert "invalid_grant" in str((await store.load()).degraded_reason)


async def test_nothing_listening_is_transient(store: MemoryTokenStore) -> None:
    async with make_client(f"http://127.0.0.1:{free_port()}", store) as ml:
        with pytest.raises(TransientError, match="connection error"):
            await ml.get_item("MLA1")
