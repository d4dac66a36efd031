"""The issue's "Done when", over real HTTP against a running ``pricing-service serve``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from pricing_service.auth.models import User
from tests.jwt_matrix.conftest import TEST_PASSWORD
from tests.live_server import live_server as start_live_server

pytestmark = pytest.mark.jwt_matrix

WRONG_SECRET = "not-the-server-secret-but-also-long-enough-0123456"  # pragma: allowlist secret


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    with start_live_server(database_url) as server:
        yield server.url


def _assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_jwt_e21_running_server_rejects_forged_and_misused_tokens(
    live_server: str, make_user: Callable[..., User]
) -> None:
    user = make_user(role="admin")
    with httpx.Client(base_url=live_server, timeout=10) as http:
        login = http.post("/api/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
        assert login.status_code == 200, login.text
        tokens = login.json()
        me = http.get("/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 200

        # alg "none" and a wrong key, both on otherwise perfect claims copied from a real token.
        claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
        kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
        claims["exp"] = datetime.now(UTC) + timedelta(minutes=5)
        unsigned = jwt.encode(claims, "", algorithm="none", headers={"kid": kid})
        wrong_key = jwt.encode(claims, WRONG_SECRET, algorithm="HS256", headers={"kid": kid})
        for token in (unsigned, wrong_key, tokens["refresh_token"]):  # + refresh as access
            _assert_401(http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}))

        # A replayed, already rotated refresh token.
        rotated = http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert rotated.status_code == 200
        _assert_401(http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))
        newest = rotated.json()["refresh_token"]
        _assert_401(http.post("/api/auth/refresh", json={"refresh_token": newest}))
