"""The logic of ``nox -s contracts`` on mutated copies of the committed contract.

The committed file plays the part of the old contract; a mutated copy plays the app's current
document. Nothing here touches the real ``contracts/openapi.json``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from govkit import contracts
from pricing_service import cli
from pricing_service.commands.openapi import contract_document
from pricing_service.settings import load_settings
from tests.contract.gate import CONTRACT, UPDATE_HINT, compare, run

LOGIN = "/api/auth/login"


@pytest.fixture
def committed() -> dict[str, Any]:
    return contracts.load_spec(CONTRACT)


@pytest.fixture
def contract_file(tmp_path: Path, committed: dict[str, Any]) -> Path:
    file = tmp_path / "openapi.json"
    contracts.write_spec(committed, file)
    return file


def _token_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The schema of login's 200 response (TokenResponse), followed through its $ref."""
    media = document["paths"][LOGIN]["post"]["responses"]["200"]["content"]["application/json"]
    name = media["schema"]["$ref"].rsplit("/", 1)[-1]
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def test_the_committed_contract_is_canonical_text() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    assert text == contracts.dumps_spec(json.loads(text)), UPDATE_HINT


def test_an_identical_document_passes(contract_file: Path, committed: dict[str, Any]) -> None:
    code, lines = run(contract_file, committed, update=False)
    assert code == 0
    assert lines == ["contract: " + str(contract_file) + " matches the app"]


def test_a_removed_endpoint_fails_naming_rule_and_path(
    contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    del current["paths"][LOGIN]

    code, lines = run(contract_file, current, update=False)

    assert code == 1
    assert f"error [api-path-removed-without-deprecation] POST {LOGIN}: api path removed" in lines
    assert "breaking change(s)" in lines[-1]


def test_a_removed_operation_fails_naming_the_method(
    contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    path, methods = next((p, m) for p, m in current["paths"].items() if len(m) > 1)
    method = sorted(methods)[0]
    del methods[method]

    code, lines = run(contract_file, current, update=False)

    assert code == 1
    assert any(
        line.startswith(f"error [api-removed-without-deprecation] {method.upper()} {path}:")
        for line in lines
    ), lines


def test_a_renamed_response_field_fails_naming_rule_and_path(
    contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    schema = _token_schema(current)
    schema["properties"]["token"] = schema["properties"].pop("access_token")
    schema["required"] = ["token" if r == "access_token" else r for r in schema["required"]]

    code, lines = run(contract_file, current, update=False)

    assert code == 1
    assert any(
        line.startswith(f"error [response-required-property-removed] POST {LOGIN}:")
        and "'access_token'" in line
        for line in lines
    ), lines


def test_an_added_optional_field_fails_until_update_then_passes(
    contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    _token_schema(current)["properties"]["scope"] = {"title": "Scope", "type": "string"}

    code, lines = run(contract_file, current, update=False)
    assert code == 1
    assert not any(line.startswith("error ") for line in lines)
    assert UPDATE_HINT in lines[-1]

    code, lines = run(contract_file, current, update=True)
    assert code == 0
    assert "0 breaking change(s) accepted" in lines[-1]

    assert run(contract_file, current, update=False)[0] == 0
    assert contract_file.read_text(encoding="utf-8") == contracts.dumps_spec(current)


def test_update_is_deterministic_whatever_the_key_order(
    tmp_path: Path, committed: dict[str, Any]
) -> None:
    reversed_keys = json.loads(json.dumps(committed), object_pairs_hook=lambda p: dict(p[::-1]))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run(first, committed, update=True)
    run(second, reversed_keys, update=True)
    assert first.read_bytes() == second.read_bytes()
    code, lines = run(first, reversed_keys, update=True)
    assert code == 0
    assert lines[-1].endswith("already matches the app")


def test_a_description_change_alone_still_asks_for_update(
    contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    current["info"]["description"] = "Reworded."
    comparison = compare(contract_file.read_text(encoding="utf-8"), current)
    assert comparison.findings == []
    assert not comparison.up_to_date
    assert run(contract_file, current, update=False)[0] == 1


def test_a_missing_contract_fails_with_the_update_hint(
    tmp_path: Path, committed: dict[str, Any]
) -> None:
    code, lines = run(tmp_path / "missing.json", committed, update=False)
    assert code == 1
    assert UPDATE_HINT in lines[0]


def test_an_unreadable_contract_is_a_spec_error(tmp_path: Path, committed: dict[str, Any]) -> None:
    broken = tmp_path / "openapi.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(contracts.SpecError, match="invalid JSON at line 1"):
        run(broken, committed, update=False)


def test_the_openapi_command_writes_the_canonical_contract_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "development")  # unset would mean production rules
    output = tmp_path / "nested" / "openapi.json"
    assert cli.main(["openapi", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == contracts.dumps_spec(document)
    assert document == contract_document(load_settings(_env_file=None))
    assert "/metrics" not in document["paths"]  # the scraper's route is not part of the API

    assert cli.main(["openapi"]) == 0
    assert capsys.readouterr().out == text
