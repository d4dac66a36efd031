"""Run ``pricing-service`` commands in-process against the test database."""

from __future__ import annotations

import io
import sys

import pytest

from pricing_service.cli import main
from pricing_service.settings import Settings


def run_cli(settings: Settings, *argv: str, stdin: str = "") -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", settings.database_url)
        patch.setenv("APP_ENV", settings.app_env.value)
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        return main([*argv, "--password-stdin"] if stdin else list(argv))
