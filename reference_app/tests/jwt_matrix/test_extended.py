"""Extended JWT cases beyond the seed matrix: forged and malformed tokens, rotation, revocation."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.auth.models import RefreshFamily, User
from pricing_service.auth.tokens import TokenType
from pricing_service.main import create_app
from pricing_service.settings import Settings
from tests.jwt_matrix.cli_helpers import run_cli
from tests.jwt_matrix.conftest import assert_unauthorized, bearer

pytestmark = pytest.mark.jwt_matrix

Forge = Callable[..., str]
OTHER_KEY = "another-key-that-is-long-enough-for-hs256-0123456789"  # pragma: allowlist secret


@pytest.fixture
def user_sid(
    make_user: Callable[..., User], open_session: Callable[[User], str]
) -> tuple[User, str]:
    user = make_user()
    return user, open_session(user)


def _me(client: TestClient, token: str) -> Any:
    return client.get("/api/auth/me", headers=bearer(token))


def test_jwt_e00_forge_helper_makes_valid_tokens(
    client: TestClient, forge: Forge, user_sid: tuple[User, str]
) -> None:
    """Control case: the unmodified forged token is accepted, so each rejection below is real."""
    assert _me(client, forge(*user_sid)).status_code == 200


def test_jwt_e01_alg_none(client: TestClient, forge: Forge, user_sid: tuple[User, str]) -> None:
    assert_unauthorized(_me(client, forge(*user_sid, algorithm="none")))


def test_jwt_e02_signed_with_wrong_key(
    client: TestClient, forge: Forge, user_sid: tuple[User, str]
) -> None:
    assert_unauthorized(_me(client, forge(*user_sid, key=OTHER_KEY)))


def test_jwt_e03_other_issuer(client: TestClient, forge: Forge, user_sid: tuple[User, str]) -> None:
    assert_unauthorized(_me(client, forge(*user_sid, iss="https://evil.example")))


def test_jwt_e04_other_audience(
    client: TestClient, forge: Forge, user_sid: tuple[User, str]
) -> None:
    assert_unauthorized(_me(client, forge(*user_sid, aud="another-api")))
    assert_unauthorized(_me(client, forge(*user_sid, aud=["another-api", "pricing-service-api"])))


def test_jwt_e05_nbf_in_future(
    client: TestClient, forge: Forge, user_sid: tuple[User, str]
) -> None:
    later = datetime.now(UTC) + timedelta(minutes=2)
    response = _me(client, forge(*user_sid, nbf=later))
    assert_unauthorized(response)
    assert response.json()["detail"] == "token not valid yet"


def test_jwt_e06_iat_in_future(
    client: TestClient, forge: Forge, user_sid: tuple[User, str]
) -> None:
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert_unauthorized(_me(client, forge(*user_sid, iat=later)))


def test_jwt_e07_expired_beyond_leeway(
    client: TestClient, forge: Forge, user_sid: tuple[User, str], settings: Settings
) -> None:
    expired = datetime.now(UTC) - timedelta(seconds=settings.jwt_leeway_seconds + 5)
    assert_unauthorized(_me(client, forge(*user_sid, exp=expired)))


def test_jwt_e08_expired_within_leeway(
    client: TestClient, forge: Forge, user_sid: tuple[User, str], settings: Settings
) -> None:
    assert settings.jwt_leeway_seconds >= 5
    just_expired = datetime.now(UTC) - timedelta(seconds=settings.jwt_leeway_seconds - 4)
    assert _me(client, forge(*user_sid, exp=just_expired)).status_code == 200


@pytest.mark.parametrize("claim", ["sub", "type", "jti", "sid", "exp", "iat", "nbf", "iss", "aud"])
def test_jwt_e09_missing_required_claim(
    client: TestClient, forge: Forge, user_sid: tuple[User, str], claim: str
) -> None:
    assert_unauthorized(_me(client, forge(*user_sid, drop=(claim,))))


def test_jwt_e10_tampered_payload_with_old_signature(
    client: TestClient,
    make_user: Callable[..., User],
    open_session: Callable[[User], str],
    mint: Callable[..., str],
) -> None:
    viewer = make_user(role="viewer")
    admin = make_user(role="admin")
    token = mint(TokenType.ACCESS, viewer, open_session(viewer))
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["sub"] = str(admin.id)  # privilege escalation attempt, keeping the signature
    forged_payload = jwt.utils.base64url_encode(
        json.dumps(claims, separators=(",", ":")).encode()
    ).decode()
    assert_unauthorized(_me(client, f"{header}.{forged_payload}.{signature}"))


def test_jwt_e11_refresh_token_used_as_access_token(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    tokens = login(make_user())
    response = _me(client, tokens["refresh_token"])
    assert_unauthorized(response)
    assert response.json()["detail"] == "not an access token"


def test_jwt_e12_access_token_used_as_refresh_leaves_session_intact(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    tokens = login(make_user())
    assert_unauthorized(
        client.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    )
    assert _me(client, tokens["access_token"]).status_code == 200
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200


def test_jwt_e13_reuse_of_rotated_refresh_revokes_family(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., dict[str, Any]],
    db: Session,
) -> None:
    first = login(make_user())
    second = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    third = client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]}).json()
    # An attacker replays the first, already rotated, token.
    replay = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_unauthorized(replay)
    # The whole family is dead, the newest refresh token and access token included.
    newest = client.post("/api/auth/refresh", json={"refresh_token": third["refresh_token"]})
    assert_unauthorized(newest)
    assert_unauthorized(_me(client, third["access_token"]))
    reasons = db.scalars(select(RefreshFamily.revoked_reason)).all()
    assert reasons == ["reuse"]


def test_jwt_e14_logout_then_refresh(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    user = make_user()
    tokens = login(user)
    other_device = login(user)
    response = client.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    assert_unauthorized(
        client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    )
    assert_unauthorized(_me(client, tokens["access_token"]))
    assert _me(client, other_device["access_token"]).status_code == 200  # one session only


def test_jwt_e15_refresh_after_password_change(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., dict[str, Any]],
    settings: Settings,
) -> None:
    user = make_user()
    tokens = login(user)
    assert (
        run_cli(
            settings, "users", "set-password", "--email", user.email, stdin="a-new-long-password\n"
        )
        == 0
    )
    assert_unauthorized(
        client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    )
    assert_unauthorized(_me(client, tokens["access_token"]))
    login(user, password="a-new-long-password")


def test_jwt_e16_concurrent_double_refresh_exactly_one_succeeds(
    client: TestClient, make_user: Callable[..., User], login: Callable[..., dict[str, Any]]
) -> None:
    tokens = login(make_user())
    body = {"refresh_token": tokens["refresh_token"]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(
            pool.map(lambda _: client.post("/api/auth/refresh", json=body).status_code, range(4))
        )
    assert statuses == [200, 401, 401, 401]


def test_jwt_e17_disabled_user_access_token(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., dict[str, Any]],
    settings: Settings,
) -> None:
    user = make_user()
    tokens = login(user)
    assert run_cli(settings, "users", "disable", "--email", user.email) == 0
    assert_unauthorized(_me(client, tokens["access_token"]))
    response = client.post("/api/auth/login", json={"email": user.email, "password": "x" * 20})
    assert_unauthorized(response, "invalid_credentials")


def test_jwt_e18_deleted_user_access_token(
    client: TestClient,
    make_user: Callable[..., User],
    login: Callable[..., dict[str, Any]],
    db: Session,
) -> None:
    user = make_user()
    tokens = login(user)
    db.query(RefreshFamily).filter_by(user_id=user.id).delete()
    db.delete(user)
    db.commit()
    assert_unauthorized(_me(client, tokens["access_token"]))
    assert_unauthorized(
        client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    )


def test_jwt_e19_previous_key_verifies_during_rotation(
    make_settings: Callable[..., Settings],
    make_user: Callable[..., User],
    auth_headers: Callable[..., dict[str, str]],
) -> None:
    """Old tokens stay valid while JWT_PREVIOUS_SECRET holds the old key; new ones use the new."""
    headers = auth_headers("viewer")  # signed with the current test key
    new_key = "the-next-signing-key-with-enough-entropy-0123456789"  # pragma: allowlist secret
    old_key = make_settings().jwt_signing_secret
    rotated = make_settings(jwt_secret=new_key, jwt_previous_secret=old_key)
    with TestClient(create_app(rotated)) as client:
        assert client.get("/api/auth/me", headers=headers).status_code == 200
    retired = make_settings(jwt_secret=new_key)
    with TestClient(create_app(retired)) as client:
        assert_unauthorized(client.get("/api/auth/me", headers=headers))


def test_jwt_e20_unknown_kid_and_junk(
    client: TestClient, forge: Forge, user_sid: tuple[User, str], settings: Settings
) -> None:
    user, sid = user_sid
    now = datetime.now(UTC)
    claims = {
        "sub": str(user.id),
        "type": "access",
        "sid": sid,
        "jti": "j",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=1),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    no_kid = jwt.encode(claims, settings.jwt_signing_secret, algorithm="HS256")
    assert_unauthorized(_me(client, no_kid))
    for junk in ("a.b.c", "x" * 5000, "Bearer", "..."):
        assert_unauthorized(_me(client, junk))
    basic = client.get("/api/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_unauthorized(basic, "authentication_required")
