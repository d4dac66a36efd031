"""`pricing-service openapi`: the document `nox -s contracts` hands to `govkit contracts check`.

The gate's logic is govkit's (tests/test_contracts_gate.py of the kit); here, the service's side:
the export is canonical text, deterministic, without the scraper's route, and the committed
contract is in that same canonical form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pricing_service import cli
from pricing_service.commands.openapi import canonical_json, contract_document
from pricing_service.settings import load_settings
from tests.contract.shapes import CONTRACT, UPDATE_HINT


def test_the_committed_contract_is_canonical_text() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    assert text == canonical_json(json.loads(text)), UPDATE_HINT


def test_the_openapi_command_writes_the_canonical_contract_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "development")  # unset would mean production rules
    output = tmp_path / "nested" / "openapi.json"
    assert cli.main(["openapi", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == canonical_json(document)
    assert document == contract_document(load_settings(_env_file=None))
    assert "/metrics" not in document["paths"]  # the scraper's route is not part of the API

    assert cli.main(["openapi"]) == 0
    assert capsys.readouterr().out == text


def test_the_export_is_what_the_committed_contract_holds() -> None:
    """The same comparison `govkit contracts check` makes, in the suite for a quick signal."""
    current = canonical_json(contract_document(load_settings(_env_file=None, app_env="test")))
    assert CONTRACT.read_text(encoding="utf-8") == current, UPDATE_HINT
