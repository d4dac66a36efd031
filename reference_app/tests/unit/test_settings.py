"""Settings refuse insecure or malformed values with one line naming the variable."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from pricing_service.core.settings import DEV_CORS_ORIGINS, Environment, SettingsError
from pricing_service.settings import Settings, load_settings
from tests.deployed import deployed


def load(**values: object) -> object:
    return load_settings(_env_file=None, **values)


def test_development_defaults_allow_localhost() -> None:
    settings = load_settings(_env_file=None, app_env="development")
    assert settings.allowed_origins == DEV_CORS_ORIGINS
    assert settings.effective_log_format == "console"
    assert settings.database_url.startswith("sqlite:///")


def test_origins_are_split_and_trimmed() -> None:
    values = {
        **deployed("production"),
        "cors_allowed_origins": " https://a.example ,https://b.example,",
    }
    settings = load_settings(_env_file=None, **values)
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.app_env is Environment.PRODUCTION
    assert settings.effective_log_format == "json"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"app_env": "production", "cors_allowed_origins": "*"}, "'*' is not allowed"),
        ({"app_env": "staging", "cors_allowed_origins": ""}, "explicit list"),
        ({"app_env": "production"}, "explicit list"),
        ({"cors_allowed_origins": "ftp://x.example"}, "CORS_ALLOWED_ORIGINS"),
        ({"app_env": "prod"}, "APP_ENV"),
        ({"log_format": "xml"}, "LOG_FORMAT"),
        ({"database_url": "mysql://x"}, "DATABASE_URL"),
        ({**deployed("staging"), "database_url": "sqlite:///x.db"}, "DATABASE_URL: SQLite"),
        ({**deployed("production"), "cors_allowed_origins": "*"}, "'*' is not allowed"),
    ],
)
def test_invalid_settings_raise_one_line(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load(**values)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_docs_are_off_in_production_unless_enabled() -> None:
    assert load_settings(_env_file=None, **deployed("staging")).serves_api_docs
    assert not load_settings(_env_file=None, **deployed("production")).serves_api_docs
    enabled = {**deployed("production"), "api_docs_enabled": "true"}
    assert load_settings(_env_file=None, **enabled).serves_api_docs


def test_cli_refuses_wildcard_origins_in_production() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pricing_service.cli", "serve"],
        env={"APP_ENV": "production", "CORS_ALLOWED_ORIGINS": "*", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "CORS_ALLOWED_ORIGINS" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_creates_a_missing_metrics_directory(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics" / "nested"
    result = subprocess.run(
        [sys.executable, "-m", "pricing_service.cli", "migrate", "--help"],
        env={
            "APP_ENV": "development",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert metrics_dir.is_dir()


# --- safe defaults: no APP_ENV means production rules; the JWT secret's entropy is checked ----


def _deployed_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in deployed("production").items() if k not in names}


def test_unset_app_env_means_production_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    with pytest.raises(SettingsError, match="required in production"):
        load_settings(_env_file=None)  # nothing set at all
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, **_deployed_without("app_env", "jwt_secret"))
    message = str(raised.value)
    assert message == "invalid settings: JWT_SECRET: required in production"
    settings = load_settings(_env_file=None, **_deployed_without("app_env"))
    assert settings.app_env is Environment.PRODUCTION


def test_cli_without_app_env_or_secret_refuses_to_start_with_one_line() -> None:
    env = {k.upper(): v for k, v in _deployed_without("app_env", "jwt_secret").items()}
    result = subprocess.run(
        [sys.executable, "-m", "pricing_service.cli", "serve"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "JWT_SECRET: required in production" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "secret",
    [
        "0123456789" * 4,  # pragma: allowlist secret
        "abcdefgh" * 5,  # pragma: allowlist secret
        "Password1Password1Password1Password1",  # pragma: allowlist secret
        "qwertyuiopasdfghjklzxcvbnmqwertyuiop",  # pragma: allowlist secret
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-B7x",
    ],
)
def test_low_entropy_secrets_are_refused_even_when_long(secret: str) -> None:
    for name in ("jwt_secret", "jwt_previous_secret"):
        values = {**deployed("production"), name: secret}
        with pytest.raises(SettingsError, match=f"{name.upper()}: too predictable"):
            load(**values)


@pytest.mark.parametrize("nbytes", [32, 48, 64])
def test_generated_secrets_are_accepted(nbytes: int) -> None:
    for secret in (secrets.token_urlsafe(nbytes), secrets.token_hex(nbytes)):
        settings = load_settings(_env_file=None, **{**deployed("production"), "jwt_secret": secret})
        assert settings.jwt_signing_secret == secret
