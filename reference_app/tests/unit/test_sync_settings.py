"""Marketplace settings: development falls back to the local fake; staging and production refuse
to start without real credentials (one line naming the variable), and tokens stay secret."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pricing_service.core.settings import SettingsError
from pricing_service.settings import DEV_ML_API_BASE_URL, DEV_ML_CLIENT_ID, load_settings
from tests.deployed import deployed


def test_development_talks_to_the_local_fake_and_runs_a_worker_in_process() -> None:
    settings = load_settings(_env_file=None, app_env="development")
    assert settings.ml_base_url == DEV_ML_API_BASE_URL
    assert settings.ml_client_credentials[0] == DEV_ML_CLIENT_ID
    assert settings.runs_worker_in_process
    assert settings.sync_concurrency == 8
    assert not load_settings(_env_file=None, app_env="test").runs_worker_in_process


@pytest.mark.parametrize(
    "missing", ["ml_api_base_url", "ml_client_id", "ml_client_secret", "ml_refresh_token"]
)
@pytest.mark.parametrize("env", ["staging", "production"])
def test_deployed_environments_require_every_marketplace_credential(env: str, missing: str) -> None:
    values = {k: v for k, v in deployed(env).items() if k != missing}
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **values)
    assert str(caught.value) == f"invalid settings: {missing.upper()}: required in {env}"


def test_deployed_marketplace_url_must_be_https() -> None:
    values = {**deployed("production"), "ml_api_base_url": "http://127.0.0.1:8001"}
    with pytest.raises(SettingsError, match="ML_API_BASE_URL: must be an https:// URL"):
        load_settings(_env_file=None, **values)


@pytest.mark.parametrize(
    ("name", "value"),
    [("sync_concurrency", "0"), ("sync_rate_limit_per_second", "0"), ("sync_max_attempts", "0")],
)
def test_sync_limits_are_validated(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name.upper()):
        load_settings(_env_file=None, **{name: value})


def test_secrets_do_not_appear_in_the_settings_repr() -> None:
    settings = load_settings(_env_file=None, **deployed("production"))
    text = repr(settings)
    assert "client-credential" not in text
    assert "TG-refresh" not in text


def test_the_worker_command_refuses_to_start_without_credentials_in_production() -> None:
    env = {k.upper(): v for k, v in deployed("production").items() if k != "ml_refresh_token"}
    result = subprocess.run(
        [sys.executable, "-m", "pricing_service.cli", "worker", "--once"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "pricing-service worker: invalid settings: ML_REFRESH_TOKEN: required in production"
    ]
