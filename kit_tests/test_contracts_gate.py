"""`govkit contracts check`: the contract gate on mutated copies of a committed contract.

The fixture contract plays the committed file; a mutated copy plays the document the service
exported just now (`pricing-service openapi -o F` in the kit, the stamped noxfile elsewhere).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from govkit import contracts
from govkit.cli import main
from govkit.contracts.gate import UPDATE_HINT, compare, run

V1 = Path(__file__).parent / "fixtures" / "contracts" / "products_v1.json"
ITEM = "/api/products/{product_id}"


@pytest.fixture
def committed() -> dict[str, Any]:
    return contracts.load_spec(V1)


@pytest.fixture
def contract_file(tmp_path: Path, committed: dict[str, Any]) -> Path:
    file = tmp_path / "contracts" / "openapi.json"
    contracts.write_spec(committed, file)
    return file


def check(
    capsys: pytest.CaptureFixture[str], contract: Path, current: dict[str, Any], *flags: str
) -> tuple[int, list[str], str]:
    """`govkit contracts check CONTRACT EXPORTED [FLAGS]` on CURRENT exported to a file."""
    exported = contract.parent.parent / "exported.json"
    exported.write_text(json.dumps(current), encoding="utf-8")
    code = main(["contracts", "check", str(contract), str(exported), *flags])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_an_identical_document_passes(
    capsys: pytest.CaptureFixture[str], contract_file: Path, committed: dict[str, Any]
) -> None:
    code, lines, _ = check(capsys, contract_file, committed)
    assert code == 0
    assert lines == [f"contract: {contract_file} matches the service"]


def test_a_removed_endpoint_fails_naming_rule_and_path(
    capsys: pytest.CaptureFixture[str], contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    del current["paths"]["/api/products"]
    code, lines, _ = check(capsys, contract_file, current)
    assert code == 1
    assert (
        "error [api-path-removed-without-deprecation] GET /api/products: api path removed" in lines
    )
    assert "breaking change(s)" in lines[-1]
    assert UPDATE_HINT in lines[-1]


def test_a_removed_operation_fails_naming_the_method(
    capsys: pytest.CaptureFixture[str], contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    del current["paths"][ITEM]["put"]
    code, lines, _ = check(capsys, contract_file, current)
    assert code == 1
    assert any(
        line.startswith(f"error [api-removed-without-deprecation] PUT {ITEM}:") for line in lines
    )


def test_a_removed_required_response_field_fails_naming_rule_and_path(
    capsys: pytest.CaptureFixture[str], contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    product = current["components"]["schemas"]["Product"]
    product["properties"]["title"] = product["properties"].pop("name")
    product["required"] = ["title" if r == "name" else r for r in product["required"]]
    code, lines, _ = check(capsys, contract_file, current)
    assert code == 1
    assert any(
        line.startswith(f"error [response-required-property-removed] GET {ITEM}:")
        and "'name'" in line
        for line in lines
    ), lines


def test_an_added_optional_field_fails_until_update_then_passes(
    capsys: pytest.CaptureFixture[str], contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    current["components"]["schemas"]["Product"]["properties"]["sku"] = {"type": "string"}

    code, lines, _ = check(capsys, contract_file, current)
    assert code == 1
    assert not any(line.startswith("error ") for line in lines)
    assert "non-breaking change(s)" in lines[-1]
    assert UPDATE_HINT in lines[-1]

    code, lines, _ = check(capsys, contract_file, current, "--update")
    assert code == 0
    assert "0 breaking change(s) accepted" in lines[-1]

    assert check(capsys, contract_file, current)[0] == 0
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
    assert lines[-1].endswith("already matches the service")


def test_a_description_change_alone_still_asks_for_update(
    contract_file: Path, committed: dict[str, Any]
) -> None:
    current = copy.deepcopy(committed)
    current["info"]["description"] = "Reworded."
    comparison = compare(contract_file.read_text(encoding="utf-8"), current)
    assert comparison.findings == []
    assert not comparison.up_to_date
    assert run(contract_file, current, update=False)[0] == 1


def test_a_missing_contract_fails_with_the_update_hint_and_update_writes_it(
    tmp_path: Path, committed: dict[str, Any]
) -> None:
    missing = tmp_path / "contracts" / "openapi.json"
    code, lines = run(missing, committed, update=False)
    assert code == 1
    assert UPDATE_HINT in lines[0]
    assert not missing.exists()
    assert run(missing, committed, update=True)[0] == 0
    assert contracts.load_spec(missing) == committed


@pytest.mark.parametrize(
    ("committed_text", "exported_text", "message"),
    [
        ("{not json", "{}", "committed contract: invalid JSON at line 1"),
        (None, "[1, 2]", "an OpenAPI document must be an object"),
        (None, None, "cannot read"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    committed_text: str | None,
    exported_text: str | None,
    message: str,
) -> None:
    contract, exported = tmp_path / "openapi.json", tmp_path / "exported.json"
    contract.write_text(committed_text or V1.read_text(encoding="utf-8"), encoding="utf-8")
    if exported_text is not None:
        exported.write_text(exported_text, encoding="utf-8")
    assert main(["contracts", "check", str(contract), str(exported)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
