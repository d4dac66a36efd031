"""`pricing-service serve` refuses an unsafe staging/production configuration before it binds.

Each case starts the real command as a subprocess with a valid staging environment and one
variable made unsafe: it must exit 2 with exactly one line on stderr naming that variable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pricing_service.settings import Settings, load_settings
from tests.deployed import deployed

PRICING_SERVICE = Path(sys.executable).parent / "pricing-service"
SETTING_NAMES = {name.upper() for name in Settings.model_fields}


def staging_env(env: str = "staging") -> dict[str, str]:
    """The process environment without any setting, plus valid deployed values."""
    base = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    return base | {name.upper(): value for name, value in deployed(env).items()}


@pytest.mark.parametrize("app_env", ["staging", "production"])
def test_the_base_configuration_is_valid(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # So each case below fails for its one unsafe value, not for something else.
    for name, value in staging_env(app_env).items():
        monkeypatch.setenv(name, value)
    assert load_settings(_env_file=None).app_env == app_env


# The "Done when" cases; the other refusals are unit-tested in-process in test_settings.
CASES = {
    "weak secret": (
        "staging",
        {"JWT_SECRET": "change-me"},  # pragma: allowlist secret
        "JWT_SECRET: a well-known",
    ),
    "wildcard origins": (
        "staging",
        {"CORS_ALLOWED_ORIGINS": "*"},
        "CORS_ALLOWED_ORIGINS: '*' is not allowed in staging",
    ),
    "sqlite": ("staging", {"DATABASE_URL": "sqlite:///pricing.db"}, "DATABASE_URL: SQLite is"),
    "missing marketplace credential": (
        "staging",
        {"ML_CLIENT_SECRET": None},
        "ML_CLIENT_SECRET: required in staging",
    ),
    "production, short secret": (
        "production",
        {"JWT_SECRET": "0123456789abcdef"},
        "JWT_SECRET: must be at least 32 bytes in production",
    ),
}


@pytest.mark.parametrize(("app_env", "change", "expected"), CASES.values(), ids=CASES.keys())
def test_serve_exits_with_one_line_naming_the_variable(
    app_env: str, change: dict[str, str | None], expected: str, tmp_path: Path
) -> None:
    env = staging_env(app_env)
    for name, value in change.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value
    result = subprocess.run(
        [str(PRICING_SERVICE), "serve", "--port", "1"],  # never bound: settings fail first
        env=env,
        cwd=tmp_path,  # no .env file is read
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pricing-service serve: invalid settings: "), lines[0]
    assert expected in lines[0]
    assert result.stdout == ""
