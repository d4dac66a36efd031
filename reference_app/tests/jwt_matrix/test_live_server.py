"""The issue's "Done when", over real HTTP against a running ``pricing-service serve``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from pricing_service.auth.models import User
from tests.jwt_matrix.conftest import TEST_PASSWORD

pytestmark = pytest.mark.jwt_matrix

SERVER_SECRET = "live-server-test-secret-with-plenty-of-entropy-42"  # pragma: allowlist secret
WRONG_SECRET = "not-the-server-secret-but-also-long-enough-0123456"  # pragma: allowlist secret


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "JWT_SECRET": SERVER_SECRET,
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "pricing_service.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(  # our own CLI, fixed arguments
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"pricing-service serve exited with {server.returncode}: {output}")
            try:
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("pricing-service serve did not answer within 30 s")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


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
