"""TokenCodec: claims, types, keys (HS256 rotation, RS256/EdDSA from files) and settings rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.utils import base64url_encode

from pricing_service.auth.permissions import ROLE_PERMISSIONS, Permission, Role, permissions_for
from pricing_service.auth.problems import InvalidTokenError
from pricing_service.auth.tokens import TokenCodec, TokenType, new_session_id
from pricing_service.core.settings import Environment, SettingsError
from pricing_service.settings import Settings, load_settings

DEPLOYED = {
    "cors_allowed_origins": "https://app.example.com",
    "database_url": "postgresql+psycopg://app@db.internal:5432/pricing",
}
STRONG = "a-strong-production-secret-with-many-different-chars-0123"  # pragma: allowlist secret


def _settings(**values: object) -> Settings:
    base: dict[str, object] = {"app_env": Environment.TEST, "_env_file": None}
    return Settings(**{**base, **values})  # type: ignore[arg-type]


def test_round_trip_carries_every_claim() -> None:
    codec = TokenCodec(_settings())
    issued = codec.encode(TokenType.ACCESS, 7, "session-1")
    claims = codec.decode(issued.token, TokenType.ACCESS)
    assert (claims.user_id, claims.session_id, claims.jti) == (7, "session-1", issued.jti)
    payload = jwt.decode(issued.token, options={"verify_signature": False})
    assert set(payload) == {"sub", "type", "sid", "jti", "iat", "nbf", "exp", "iss", "aud"}
    assert payload["exp"] - payload["iat"] == 900


def test_type_is_enforced_both_ways() -> None:
    codec = TokenCodec(_settings())
    access = codec.encode(TokenType.ACCESS, 1, "s").token
    refresh = codec.encode(TokenType.REFRESH, 1, "s").token
    with pytest.raises(InvalidTokenError, match="not a refresh token"):
        codec.decode(access, TokenType.REFRESH)
    with pytest.raises(InvalidTokenError, match="not an access token"):
        codec.decode(refresh, TokenType.ACCESS)


def test_each_token_has_a_fresh_jti() -> None:
    codec = TokenCodec(_settings())
    assert codec.encode(TokenType.ACCESS, 1, "s").jti != codec.encode(TokenType.ACCESS, 1, "s").jti


def test_hs256_token_is_refused_by_an_rs256_service(tmp_path: Path) -> None:
    """Algorithm confusion: the algorithm comes from configuration, never from the token."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_file, public_file = tmp_path / "private.pem", tmp_path / "public.pem"
    private_file.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_file.write_bytes(public_pem)
    codec = TokenCodec(
        _settings(
            jwt_algorithm="RS256",
            jwt_private_key_file=private_file,
            jwt_public_key_file=public_file,
        )
    )
    good = codec.encode(TokenType.ACCESS, 3, "s").token
    assert codec.decode(good, TokenType.ACCESS).user_id == 3
    claims = jwt.decode(good, options={"verify_signature": False})
    kid = jwt.get_unverified_header(good)["kid"]
    # Signing with the *public* key as an HMAC secret is the classic confusion attack
    # (PyJWT refuses to do it, so the token is assembled by hand).
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = b".".join(
        base64url_encode(json.dumps(part).encode()) for part in (header, claims)
    )
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + base64url_encode(signature)).decode()
    with pytest.raises(InvalidTokenError):
        codec.decode(forged, TokenType.ACCESS)


def test_eddsa_keys_from_files(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    (tmp_path / "k").write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "k.pub").write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = _settings(
        jwt_algorithm="EdDSA",
        jwt_private_key_file=tmp_path / "k",
        jwt_public_key_file=tmp_path / "k.pub",
    )
    codec = TokenCodec(settings)
    assert (
        codec.decode(codec.encode(TokenType.REFRESH, 9, "s").token, TokenType.REFRESH).user_id == 9
    )


def test_asymmetric_algorithm_needs_key_files() -> None:
    with pytest.raises(SettingsError, match=r"^invalid settings: JWT_PRIVATE_KEY_FILE: "):
        load_settings(app_env="test", jwt_algorithm="RS256", _env_file=None)


def test_refresh_must_outlive_access() -> None:
    with pytest.raises(SettingsError, match="REFRESH_TOKEN_TTL_SECONDS: must be longer"):
        load_settings(
            app_env="test",
            access_token_ttl_seconds=900,
            refresh_token_ttl_seconds=900,
            _env_file=None,
        )


@pytest.mark.parametrize("env", ["staging", "production"])
@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "required"),
        ("change-me", "well-known"),
        ("secret", "well-known"),
        ("development-only-jwt-secret-never-deploy-0123456789", "well-known"),
        ("a" * 64, "too predictable"),
        ("short-but-varied-Secret-1", "at least 32 bytes"),
    ],
)
def test_deployed_environments_refuse_weak_secrets(
    env: str, secret: str | None, reason: str
) -> None:
    values: dict[str, object] = {"app_env": env, **DEPLOYED}
    if secret is not None:
        values["jwt_secret"] = secret
    with pytest.raises(SettingsError, match=f"JWT_SECRET: .*{reason}"):
        load_settings(_env_file=None, **values)


def test_deployed_environment_accepts_a_strong_secret() -> None:
    # Other domains add their own deployed-only requirements; only JWT_SECRET matters here.
    problem = ""
    try:
        load_settings(_env_file=None, app_env="production", jwt_secret=STRONG, **DEPLOYED)
    except SettingsError as error:
        problem = str(error)
    assert "JWT_SECRET" not in problem
    settings = _settings(jwt_secret=STRONG)
    assert settings.jwt_signing_secret == STRONG
    assert STRONG not in repr(settings)  # SecretStr: never printed in logs or tracebacks


def test_development_has_a_usable_default_secret() -> None:
    assert len(_settings(app_env=Environment.DEVELOPMENT).jwt_signing_secret.encode()) >= 32


def test_roles_nest_and_admin_has_everything() -> None:
    viewer, manager = ROLE_PERMISSIONS[Role.VIEWER], ROLE_PERMISSIONS[Role.PRICING_MANAGER]
    assert viewer < manager < ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert viewer == {Permission.PRODUCTS_READ, Permission.SYNC_READ}
    assert manager - viewer == {Permission.PRICES_WRITE, Permission.SYNC_RUN}
    assert permissions_for("retired-role") == frozenset()


def test_a_verified_token_is_not_parsed_again_but_still_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codec = TokenCodec(_settings(jwt_leeway_seconds=10))
    issued = codec.encode(TokenType.ACCESS, 7, "s")
    first = codec.decode(issued.token, TokenType.ACCESS)
    calls: list[str] = []
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: calls.append("decode"))
    assert codec.decode(issued.token, TokenType.ACCESS) is first
    assert calls == []
    with pytest.raises(InvalidTokenError, match="not a refresh token"):
        codec.decode(issued.token, TokenType.REFRESH)
    later = issued.expires_at.timestamp() + 10  # exp + leeway: PyJWT's own boundary
    monkeypatch.setattr("pricing_service.auth.tokens.time.time", lambda: later)
    with pytest.raises(InvalidTokenError, match="token expired"):
        codec.decode(issued.token, TokenType.ACCESS)


def test_a_forged_copy_of_a_verified_token_is_still_refused() -> None:
    codec = TokenCodec(_settings())
    token = codec.encode(TokenType.ACCESS, 7, "s").token
    codec.decode(token, TokenType.ACCESS)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(InvalidTokenError, match="invalid token"):
        codec.decode(forged, TokenType.ACCESS)


def test_session_and_token_ids_carry_far_more_than_64_bits() -> None:  # ASVS 4.0.3 V3.2.2
    codec = TokenCodec(_settings())
    sessions = {new_session_id() for _ in range(1000)}
    assert len(sessions) == 1000
    assert all(uuid.UUID(s).version == 4 for s in sessions)  # 122 random bits each
    jtis = {codec.encode(TokenType.REFRESH, 1, "s").jti for _ in range(100)}
    assert len(jtis) == 100
    assert all(len(base64.urlsafe_b64decode(j + "==")) == 24 for j in jtis)  # 192 bits
