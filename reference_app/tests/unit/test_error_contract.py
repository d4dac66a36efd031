"""The error codes in code and in policies/error-contract.md are the same set."""

from __future__ import annotations

import re
from pathlib import Path

from pricing_service.core.errors import REGISTRY
from pricing_service.main import create_app
from pricing_service.settings import load_settings

POLICY = Path(__file__).resolve().parents[3] / "policies" / "error-contract.md"
ROW = re.compile(r"^\|\s*`(?P<code>[a-z0-9_]+)`\s*\|\s*(?P<status>\d{3})\s*\|", re.MULTILINE)


def codes_section() -> str:
    return POLICY.read_text().split("## Codes", 1)[1].split("\n## ", 1)[0]


def test_every_declared_code_is_documented_with_its_status() -> None:
    create_app(load_settings(_env_file=None, app_env="test"))  # imports every router's codes
    documented = {m["code"]: int(m["status"]) for m in ROW.finditer(codes_section())}
    declared = {code: problem.status for code, problem in REGISTRY.items()}
    missing = sorted(set(declared) - set(documented))
    stale = sorted(set(documented) - set(declared))
    assert not missing, f"add rows to policies/error-contract.md for: {missing}"
    assert not stale, f"policies/error-contract.md lists codes the service no longer has: {stale}"
    assert documented == declared
