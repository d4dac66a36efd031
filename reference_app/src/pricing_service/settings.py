"""The one settings object of the service: the core's (``core.settings``) and the domains'.

Nothing else reads ``os.environ``. Invalid settings stop startup with one line naming the variable.
"""

from __future__ import annotations

import ipaddress
import math
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode
from zxcvbn import zxcvbn

from pricing_service.core.settings import CoreSettings, Environment, SettingsError, build_settings

APP_ROOT = Path(__file__).resolve().parents[2]  # reference_app/
DEFAULT_DATABASE_URL = f"sqlite:///{APP_ROOT / 'var' / 'pricing.db'}"
# Development and test talk to the local fake marketplace (`python -m pricing_service_dev
# fake-marketplace`), which accepts exactly these credentials; staging/production must configure
# real ones.
DEV_ML_API_BASE_URL = "http://127.0.0.1:8001"
DEV_ML_CLIENT_ID = "dev-client"
DEV_ML_CLIENT_SECRET = "dev-client-secret-for-the-fake"  # noqa: S105  # pragma: allowlist secret
DEV_ML_REFRESH_TOKEN = "TG-dev-refresh-for-the-fake"  # noqa: S105  # pragma: allowlist secret


# Public on purpose: refused outside development and test.
DEV_JWT_SECRET = "development-only-jwt-secret-never-deploy-0123456789"  # noqa: S105  # pragma: allowlist secret
# The base64 of "development-only-key-never-deplo" (32 bytes): a valid Fernet key, public.
DEV_TOKEN_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1rZXktbmV2ZXItZGVwbG8="  # noqa: S105  # pragma: allowlist secret
WELL_KNOWN_SECRETS = frozenset(
    {
        DEV_JWT_SECRET,
        "change-me",
        "changeme",
        "change_me",
        "secret",
        "jwt-secret",
        "jwt_secret",
        "password",
        "your-secret-key",
        "supersecret",
        "super-secret",
        "test",
        "dev",
        "development",
    }
)
MIN_SECRET_BYTES = 32
# HMAC secrets are judged by zxcvbn's estimate of the guesses they take (patterns, repeats,
# keyboard walks and words count for little), not by their length alone. 128 bits: what a
# 32-byte random secret easily clears and a long but patterned one does not.
MIN_SECRET_BITS = 128
_ENTROPY_CHECKED_CHARACTERS = 128  # zxcvbn's cost grows with length; a longer tail adds no doubt
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(CoreSettings):
    database_url: str = DEFAULT_DATABASE_URL
    forwarded_allow_ips: Annotated[tuple[IpNetwork, ...], NoDecode] = Field(
        default=(),
        description="proxies (IPs or CIDR networks, comma-separated) whose X-Forwarded-For and "
        "X-Forwarded-Proto are trusted; none by default",
    )
    # Metrics (policies/slo.md): GET /metrics is on by default only in development.
    metrics_enabled: bool | None = Field(
        default=None, description="serve GET /metrics; default: only in development"
    )
    prometheus_multiproc_dir: Path | None = Field(
        default=None, description="set by `serve` for several workers (prometheus-client)"
    )
    # MercadoLibre sync (sync/). Unset marketplace values fall back to the local fake outside
    # staging/production (see ml_* properties); deployed environments must set all four.
    ml_api_base_url: str | None = None
    ml_client_id: str | None = None
    ml_client_secret: SecretStr | None = None
    ml_refresh_token: SecretStr | None = Field(
        default=None, description="the seller's initial refresh token; rotated in the database"
    )
    # Fernet keys (comma-separated, newest first) sealing the marketplace tokens stored in the
    # database: the first encrypts, every one decrypts, so a new key goes in front of the old.
    token_encryption_keys: SecretStr | None = Field(
        default=None, description="Fernet keys for tokens at rest; required when deployed"
    )
    ml_ca_bundle: Path | None = Field(
        default=None,
        description="PEM file of the CAs trusted for ML_API_BASE_URL instead of the system store",
    )
    ml_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    ml_timeout_seconds: float = Field(default=10.0, gt=0, description="read/write/pool timeout")
    sync_concurrency: int = Field(default=8, ge=1, le=64)
    sync_rate_limit_per_second: float = Field(default=20.0, gt=0)
    sync_max_attempts: int = Field(default=5, ge=1, le=20, description="per item, per job")
    sync_backoff_base_seconds: float = Field(default=0.5, gt=0)
    sync_backoff_max_seconds: float = Field(default=30.0, gt=0)
    sync_lease_seconds: float = Field(default=30.0, ge=0.5)
    sync_poll_seconds: float = Field(default=1.0, gt=0)
    sync_schedule_seconds: float = Field(
        default=60.0, ge=0, description="enqueue a job when products are pending; 0 disables"
    )
    sync_batch_size: int = Field(default=100, ge=1, le=1000)
    sync_worker_in_process: bool | None = Field(
        default=None, description="run the sync worker inside the API process (development)"
    )
    # Auth (policies/auth.md). JWT_SECRET may be omitted only in development and test.
    jwt_secret: SecretStr | None = None
    jwt_previous_secret: SecretStr | None = Field(
        default=None, description="still accepted for verification while a new secret rolls out"
    )
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"] = "HS256"
    jwt_private_key_file: Path | None = None
    jwt_public_key_file: Path | None = None
    jwt_previous_public_key_file: Path | None = None
    jwt_issuer: str = Field(default="pricing-service", min_length=1)
    jwt_audience: str = Field(default="pricing-service-api", min_length=1)
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=60)
    access_token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_seconds: int = Field(default=604_800, ge=60, le=7_776_000)
    # Login throttling (auth/throttle.py): failed attempts within the window, per account from
    # one address, per address over all accounts, and per account from addresses it never
    # signed in from; beyond each limit an attempt waits LOGIN_DELAY_SECONDS, doubled per
    # further failure (at most the window).
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_max_failures_per_address: int = Field(default=20, ge=1, le=1000)
    login_max_failures_per_account: int = Field(default=20, ge=1, le=100)
    login_failure_window_seconds: int = Field(default=900, ge=10, le=86_400)
    login_delay_seconds: int = Field(default=30, ge=1, le=3_600)
    login_known_address_days: int = Field(default=30, ge=1, le=365)
    # Sessions (refresh families): an absolute lifetime from the login, whatever the refreshes;
    # ending another session needs a login at most this recent (ASVS 3.3.4, RFC 9470).
    session_max_age_seconds: int = Field(default=2_592_000, ge=300, le=31_536_000)
    session_reauthentication_seconds: int = Field(default=900, ge=60, le=86_400)
    # How long a worker trusts a session check it made (PostgreSQL only; ADR 0009). 0: never.
    auth_session_cache_seconds: int = Field(default=60, ge=0, le=3_600)

    # Pricing (policies/pricing.md): guardrails, bulk limits and idempotency-key retention.
    max_price_change_ratio: Decimal = Field(
        default=Decimal("0.5"), gt=0, le=10, description="largest |new-old|/old per price update"
    )
    bulk_max_items: int = Field(default=1000, ge=1, le=5000, description="items per bulk request")
    idempotency_key_ttl_hours: int = Field(default=24, ge=1, le=720)

    # Pricing console (frontend/, console.py): the built files served at / for browsers.
    console_dir: Path | None = Field(
        default=None, description="built console to serve; unset: frontend/dist when built"
    )

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        networks = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            if item == "*":
                raise ValueError("'*' would let every client choose its address: list the proxies")
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR network") from None
        return tuple(networks)

    @field_validator("token_encryption_keys")
    @classmethod
    def _keys_are_fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        keys = _split_keys(value.get_secret_value())
        if not keys:
            raise ValueError("give at least one Fernet key (see docs/deploy.md)")
        for position, key in enumerate(keys, start=1):
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
                ) from None
        return value

    @field_validator("ml_ca_bundle")
    @classmethod
    def _ca_bundle_is_a_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file (a PEM bundle of CA certificates)")
        return value

    @field_validator("console_dir")
    @classmethod
    def _console_is_built(cls, value: Path | None) -> Path | None:
        if value is not None and not (value / "index.html").is_file():
            raise ValueError(f"{value} has no index.html: build the console (npm run build)")
        return value

    @model_validator(mode="after")
    def _auth_is_safe(self) -> Settings:
        if self.refresh_token_ttl_seconds <= self.access_token_ttl_seconds:
            raise ValueError(
                "REFRESH_TOKEN_TTL_SECONDS: must be longer than ACCESS_TOKEN_TTL_SECONDS "
                f"({self.refresh_token_ttl_seconds} <= {self.access_token_ttl_seconds})"
            )
        if self.session_max_age_seconds <= self.access_token_ttl_seconds:
            raise ValueError(
                "SESSION_MAX_AGE_SECONDS: must be longer than ACCESS_TOKEN_TTL_SECONDS "
                f"({self.session_max_age_seconds} <= {self.access_token_ttl_seconds})"
            )
        if self.jwt_algorithm.startswith("HS"):
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else None
            if self.app_env.is_deployed:
                _refuse_weak_secret("JWT_SECRET", secret, self.app_env)
            if self.jwt_previous_secret is not None and self.app_env.is_deployed:
                previous = self.jwt_previous_secret.get_secret_value()
                _refuse_weak_secret("JWT_PREVIOUS_SECRET", previous, self.app_env)
        else:
            for name in ("jwt_private_key_file", "jwt_public_key_file"):
                path: Path | None = getattr(self, name)
                if path is None or not path.is_file():
                    raise ValueError(
                        f"{name.upper()}: a readable key file is required for {self.jwt_algorithm}"
                    )
        return self

    @cached_property
    def jwt_signing_secret(self) -> str:
        """JWT_SECRET, or a fixed, publicly known secret in development and test only."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.app_env.is_deployed:  # unreachable: the validator refuses it
            raise SettingsError("JWT_SECRET: required in " + str(self.app_env))
        return DEV_JWT_SECRET

    @model_validator(mode="after")
    def _deployed_needs_marketplace(self) -> Settings:
        if self.app_env.is_deployed:
            if self.token_encryption_keys is None:
                raise ValueError(f"TOKEN_ENCRYPTION_KEYS: required in {self.app_env}")
            if DEV_TOKEN_ENCRYPTION_KEY in _split_keys(
                self.token_encryption_keys.get_secret_value()
            ):
                raise ValueError(
                    f"TOKEN_ENCRYPTION_KEYS: the public development key is not allowed in "
                    f"{self.app_env}"
                )
            for name in ("ml_api_base_url", "ml_client_id", "ml_client_secret", "ml_refresh_token"):
                if getattr(self, name) is None:
                    raise ValueError(f"{name.upper()}: required in {self.app_env}")
            if not str(self.ml_api_base_url).startswith("https://"):
                raise ValueError(f"ML_API_BASE_URL: must be an https:// URL in {self.app_env}")
        return self

    @cached_property
    def token_encryption_key_list(self) -> tuple[str, ...]:
        """TOKEN_ENCRYPTION_KEYS, newest first; the public development key outside deployment."""
        if self.token_encryption_keys is not None:
            return _split_keys(self.token_encryption_keys.get_secret_value())
        if self.app_env.is_deployed:  # unreachable: the validator refuses it
            raise SettingsError("TOKEN_ENCRYPTION_KEYS: required in " + str(self.app_env))
        return (DEV_TOKEN_ENCRYPTION_KEY,)

    @property
    def ml_base_url(self) -> str:
        return (self.ml_api_base_url or DEV_ML_API_BASE_URL).rstrip("/")

    @property
    def ml_client_credentials(self) -> tuple[str, SecretStr]:
        """(client id, client secret): the configured pair, or the fake's outside deployment."""
        return (
            self.ml_client_id or DEV_ML_CLIENT_ID,
            self.ml_client_secret or SecretStr(DEV_ML_CLIENT_SECRET),
        )

    @property
    def ml_initial_refresh_token(self) -> SecretStr:
        return self.ml_refresh_token or SecretStr(DEV_ML_REFRESH_TOKEN)

    @property
    def console_root(self) -> Path | None:
        """The built console to serve at /, or None when it has not been built."""
        if self.console_dir is not None:
            return self.console_dir
        built = APP_ROOT / "frontend" / "dist"
        return built if (built / "index.html").is_file() else None

    @property
    def runs_worker_in_process(self) -> bool:
        if self.sync_worker_in_process is not None:
            return self.sync_worker_in_process
        return self.app_env is Environment.DEVELOPMENT

    @cached_property
    def serves_metrics(self) -> bool:
        if self.metrics_enabled is not None:
            return self.metrics_enabled
        return self.app_env is Environment.DEVELOPMENT


def _split_keys(value: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in value.split(",") if key.strip())


def secret_bits(secret: str) -> int:
    """Estimated entropy of a secret, in bits: log2 of the guesses zxcvbn says it takes."""
    sample = secret[:_ENTROPY_CHECKED_CHARACTERS]
    guesses_log10 = float(zxcvbn(sample, max_length=len(sample))["guesses_log10"])
    return int(guesses_log10 / math.log10(2))


def _refuse_weak_secret(name: str, secret: str | None, env: Environment) -> None:
    if not secret:
        raise ValueError(f"{name}: required in {env}")
    if secret.strip().lower() in WELL_KNOWN_SECRETS:
        raise ValueError(f"{name}: a well-known value is not allowed in {env}")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"{name}: must be at least {MIN_SECRET_BYTES} bytes in {env}")
    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        raise ValueError(
            f"{name}: too predictable (about {bits} bits of entropy, {MIN_SECRET_BITS} needed) "
            f"in {env}; generate one with `openssl rand -base64 48`"
        )


def load_settings(**overrides: object) -> Settings:
    """The service's settings from the environment; SettingsError with one readable line."""
    return build_settings(Settings, **overrides)
