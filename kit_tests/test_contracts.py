"""The contract diff as a whole: $ref resolution, cycles, bad input, outputs, CLI and writer."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from govkit import contracts
from govkit.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "contracts"
V1 = FIXTURES / "products_v1.json"
ADDITIVE = FIXTURES / "products_v2_additive.json"
BREAKING = FIXTURES / "products_v2_breaking.json"


def load(path: Path) -> dict[str, Any]:
    return contracts.load_spec(path)


def test_identical_documents_have_no_findings() -> None:
    assert contracts.diff(load(V1), load(V1)) == []


def test_change_inside_a_referenced_component_is_found_at_every_operation() -> None:
    findings = contracts.diff(load(V1), load(BREAKING))
    removed = [f.where() for f in findings if f.rule == "response-required-property-removed"]
    assert removed == ["GET /api/products/{product_id}", "PUT /api/products/{product_id}"]


def test_breaking_fixture_lists_each_rule_once_per_operation() -> None:
    lines = [f.line() for f in contracts.diff(load(V1), load(BREAKING)) if f.breaking]
    assert lines == [
        "error [api-path-removed-without-deprecation] GET /api/products: api path removed",
        "error [api-security-added] GET /api/products/{product_id}: the endpoint now requires "
        "security HTTPBearer; it accepted anonymous calls before",
        "error [response-required-property-removed] GET /api/products/{product_id}: removed the "
        "required property 'price' from the response for the status 200",
        "error [request-property-became-required] PUT /api/products/{product_id}: the request "
        "property 'reason' became required",
        "error [response-required-property-removed] PUT /api/products/{product_id}: removed the "
        "required property 'price' from the response for the status 200",
    ]


def test_additive_fixture_is_not_breaking() -> None:
    findings = contracts.diff(load(V1), load(ADDITIVE))
    assert findings
    assert not contracts.has_breaking(findings)
    assert {f.rule for f in findings} == {
        "endpoint-added",
        "request-property-enum-value-added",
        "response-optional-property-added",
        "response-property-enum-value-added",
    }


def test_recursive_schema_terminates_and_reports_nested_changes_once() -> None:
    node = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    }
    old: dict[str, Any] = {
        "openapi": "3.1.0",
        "paths": {
            "/tree": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Node"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Node": node}},
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Node"]["required"] = []
    findings = contracts.diff(old, new)
    assert [f.rule for f in findings] == ["response-property-became-optional"]


def test_mutually_recursive_schemas_terminate() -> None:
    schemas = {
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    }
    ok = {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}},
    }
    old: dict[str, Any] = {
        "openapi": "3.1.0",
        "paths": {"/a": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": schemas},
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"]["B"]["properties"]["extra"] = {"type": "string"}
    assert [f.message for f in contracts.diff(old, new)] == [
        "added the optional property 'b.extra' to the response for the status 200"
    ]


def test_allof_branches_are_merged() -> None:
    base = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"properties": {"note": {"type": "string"}}},
        ]
    }
    ok = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    old: dict[str, Any] = {
        "openapi": "3.0.3",
        "paths": {"/a": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": {"Base": base}},
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Base"]["required"] = []
    assert [f.rule for f in contracts.diff(old, new)] == ["response-property-became-optional"]


def test_keywords_next_to_a_ref_count() -> None:
    new = load(V1)
    product = new["components"]["schemas"]["Product"]
    product["properties"]["currency"] = {
        "$ref": "#/components/schemas/Currency",
        "description": "ISO 4217",  # an annotation: no change
        "nullable": True,  # a real change, spelled next to the $ref
    }
    findings = contracts.diff(load(V1), new)
    assert {(f.rule, f.message) for f in findings} == {
        (
            "response-property-became-nullable",
            "the response property 'currency' became nullable for the status 200",
        ),
        (
            "response-property-became-nullable",
            "the response property '[].currency' became nullable for the status 200",
        ),
    }


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"$ref": "#/components/schemas/Missing"},
            "unresolvable $ref #/components/schemas/Missing",
        ),
        ({"$ref": "other.json#/X"}, "only local $refs are supported, found other.json#/X"),
        ({"$ref": "#/components/schemas/Loop"}, "$ref cycle through #/components/schemas/Loop"),
    ],
)
def test_bad_references_raise_a_one_line_spec_error(schema: dict[str, Any], message: str) -> None:
    def document(schema: dict[str, Any]) -> dict[str, Any]:
        ok = {"description": "ok", "content": {"application/json": {"schema": schema}}}
        loop = {
            "Loop": {"$ref": "#/components/schemas/Loop2"},
            "Loop2": {"$ref": "#/components/schemas/Loop"},
        }
        paths = {"/a": {"get": {"responses": {"200": ok}}}}
        return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": loop}}

    with pytest.raises(contracts.SpecError) as raised:
        contracts.diff(document({}), document(schema), labels=("v1.json", "v2.json"))
    assert str(raised.value) == f"v2.json: {message}"


@pytest.mark.parametrize(
    "document",
    [[], {"paths": {}}, {"openapi": "3.1.0", "paths": []}],
    ids=["not-an-object", "no-openapi-field", "paths-not-an-object"],
)
def test_documents_that_are_not_openapi_are_rejected(document: Any) -> None:
    with pytest.raises(contracts.SpecError):
        contracts.diff(load(V1), document)


def test_malformed_structure_is_a_spec_error_not_a_crash() -> None:
    broken = load(V1)
    broken["paths"]["/api/products"]["get"]["responses"] = ["200"]
    with pytest.raises(contracts.SpecError, match="malformed OpenAPI structure"):
        contracts.diff(load(V1), broken)


# -- outputs -------------------------------------------------------------------------------------


def test_text_output_is_one_line_per_finding_and_a_summary() -> None:
    text = contracts.render_text(contracts.diff(load(V1), load(BREAKING)))
    lines = text.splitlines()
    assert lines[0].startswith("error [api-path-removed-without-deprecation] GET /api/products: ")
    assert lines[-1] == "5 breaking change(s), 2 non-breaking change(s)"
    assert text.endswith("\n")


def test_json_output_is_stable_and_split_by_breaking() -> None:
    findings = contracts.diff(load(V1), load(BREAKING))
    text = contracts.render_json(findings)
    assert text == contracts.render_json(list(reversed(findings)))
    document = json.loads(text)
    assert sorted(document) == ["breaking", "non_breaking"]
    assert len(document["breaking"]) == 5
    assert document["breaking"][0] == {
        "level": "error",
        "message": "api path removed",
        "method": "GET",
        "path": "/api/products",
        "rule": "api-path-removed-without-deprecation",
    }
    assert {f["level"] for f in document["non_breaking"]} == {"info"}


# -- CLI -----------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["contracts", "diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exits_1_on_a_breaking_change(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(V1), str(BREAKING))
    assert code == 1
    assert "error [response-required-property-removed] GET /api/products/{product_id}: " in out


def test_cli_exits_0_on_additive_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(V1), str(ADDITIVE))
    assert code == 0
    assert out.splitlines()[-1] == "0 breaking change(s), 8 non-breaking change(s)"


def test_cli_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", str(V1), str(BREAKING))
    assert code == 1
    assert len(json.loads(out)["breaking"]) == 5


def test_cli_reads_yaml_by_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(load(V1)), encoding="utf-8")
    assert run(capsys, str(V1), str(new))[0] == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.json", "missing.json: cannot read: FileNotFoundError"),
        ("broken.json", "broken.json: invalid JSON at line 2"),
        ("not_openapi.json", "not_openapi.json: missing the 'openapi' version field"),
        ("dangling_ref.json", "dangling_ref.json: unresolvable $ref #/components/schemas/Missing"),
    ],
)
def test_cli_exits_2_with_one_line_on_bad_input(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    code, out, err = run(capsys, str(V1), str(FIXTURES / name))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("govkit contracts: ")
    assert message in err


# -- deterministic writer ------------------------------------------------------------------------


def test_dumps_spec_sorts_keys_with_two_space_indent_and_trailing_newline() -> None:
    text = contracts.dumps_spec({"paths": {}, "openapi": "3.1.0", "info": {"title": "é"}})
    assert (
        text == '{\n  "info": {\n    "title": "é"\n  },\n  "openapi": "3.1.0",\n  "paths": {}\n}\n'
    )


def test_write_spec_reports_whether_the_file_changed(tmp_path: Path) -> None:
    target = tmp_path / "contracts" / "openapi.json"
    document = load(V1)
    assert contracts.write_spec(document, target) is True
    assert contracts.write_spec(dict(reversed(list(document.items()))), target) is False
    assert target.read_text(encoding="utf-8") == contracts.dumps_spec(document)
    assert load(target) == document


# -- a contract as FastAPI and pydantic v2 emit it ----------------------------------------------


def _fastapi_contract(*, rename: bool = False, extra_field: bool = False) -> dict[str, Any]:
    import fastapi
    from pydantic import BaseModel, create_model

    fields: dict[str, Any] = {"id": (int, ...), "name" if not rename else "title": (str, ...)}
    fields["note"] = (str | None, None)
    if extra_field:
        fields["sku"] = (str | None, None)
    product: type[BaseModel] = create_model("Product", **fields)
    app = fastapi.FastAPI()

    @app.get("/api/products/{product_id}", response_model=product)
    def get_product(product_id: int, expand: str | None = None) -> Any:
        raise NotImplementedError  # never called: only the schema matters

    return dict(app.openapi())


def test_fastapi_rename_is_breaking_and_optional_field_is_not() -> None:
    base = _fastapi_contract()
    assert contracts.diff(base, _fastapi_contract()) == []
    renamed = contracts.diff(base, _fastapi_contract(rename=True))
    assert [f.rule for f in renamed if f.breaking] == ["response-required-property-removed"]
    added = contracts.diff(base, _fastapi_contract(extra_field=True))
    assert [(f.rule, f.level) for f in added] == [("response-optional-property-added", "info")]
