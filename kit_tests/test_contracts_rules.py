"""One test per rule of the contract diff: the breaking change and its non-breaking counterpart."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from govkit.contracts import Finding, diff, has_breaking

Json = dict[str, Any]
BEARER: list[Json] = [{"bearer": []}]


def spec(paths: Json, *, schemas: Json | None = None, security: Any = None) -> Json:
    document: Json = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas is not None:
        document["components"] = {"schemas": schemas}
    if security is not None:
        document["security"] = security
    return document


def op(
    *,
    response: Json | None = None,
    status: str = "200",
    media: str = "application/json",
    body: Json | None = None,
    body_required: bool = True,
    params: list[Json] | None = None,
    **extra: Any,
) -> Json:
    operation: Json = {"responses": {status: {"description": "ok"}}}
    if response is not None:
        operation["responses"][status]["content"] = {media: {"schema": response}}
    if body is not None:
        operation["requestBody"] = {"required": body_required, "content": {media: {"schema": body}}}
    if params is not None:
        operation["parameters"] = params
    operation.update(extra)
    return operation


def obj(required: tuple[str, ...] = (), **props: Json) -> Json:
    return {"type": "object", "properties": props, "required": list(required)}


def query(name: str, required: bool = False, **schema: Any) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema or {"type": "string"},
    }


STR: Json = {"type": "string"}
INT: Json = {"type": "integer"}


def one(path: str, operation: Json, method: str = "get") -> Json:
    return spec({path: {method: operation}})


def rules(findings: list[Finding]) -> dict[str, str]:
    return {f.rule: f.level for f in findings}


def check(old: Json, new: Json, rule: str, level: str) -> list[Finding]:
    findings = diff(old, new)
    assert rules(findings).get(rule) == level, [f.line() for f in findings]
    assert has_breaking(findings) is (level == "error")  # the gate fails exactly on errors
    return findings


# -- paths and operations ------------------------------------------------------------------------


def test_path_removed_without_deprecation_is_breaking() -> None:
    old = spec({"/a": {"get": op()}, "/b": {"get": op()}})
    findings = check(
        old, spec({"/a": {"get": op()}}), "api-path-removed-without-deprecation", "error"
    )
    assert findings[0].line() == (
        "error [api-path-removed-without-deprecation] GET /b: api path removed"
    )


def test_path_removed_after_deprecation_is_info() -> None:
    old = spec({"/a": {"get": op()}, "/b": {"get": op(deprecated=True)}})
    check(old, spec({"/a": {"get": op()}}), "api-path-removed-with-deprecation", "info")


def test_operation_removed_without_deprecation_is_breaking() -> None:
    old = spec({"/a": {"get": op(), "delete": op()}})
    check(old, spec({"/a": {"get": op()}}), "api-removed-without-deprecation", "error")


def test_operation_removed_after_deprecation_is_info() -> None:
    old = spec({"/a": {"get": op(), "delete": op(deprecated=True)}})
    check(old, spec({"/a": {"get": op()}}), "api-removed-with-deprecation", "info")


def test_endpoint_added_is_info() -> None:
    old = spec({"/a": {"get": op()}})
    check(old, spec({"/a": {"get": op(), "post": op()}}), "endpoint-added", "info")


def test_renamed_path_parameter_matches_the_same_operation() -> None:
    param = {"in": "path", "required": True, "schema": INT}
    old = spec({"/items/{id}": {"get": op(params=[{"name": "id", **param}])}})
    new = spec({"/items/{item_id}": {"get": op(params=[{"name": "item_id", **param}])}})
    assert diff(old, new) == []


# -- response properties -------------------------------------------------------------------------


def test_required_response_property_removed_is_breaking() -> None:
    old = one("/p", op(response=obj(("id", "price"), id=INT, price=STR)))
    new = one("/p", op(response=obj(("id",), id=INT)))
    findings = check(old, new, "response-required-property-removed", "error")
    assert findings[0].line() == (
        "error [response-required-property-removed] GET /p: removed the required property "
        "'price' from the response for the status 200"
    )


def test_optional_response_property_removed_is_breaking() -> None:
    old = one("/p", op(response=obj(id=INT, note=STR)))
    check(old, one("/p", op(response=obj(id=INT))), "response-optional-property-removed", "error")


def test_response_property_added_is_info() -> None:
    old = one("/p", op(response=obj(("id",), id=INT)))
    new = one("/p", op(response=obj(("id", "sku"), id=INT, sku=STR, note=STR)))
    found = rules(diff(old, new))
    assert found == {
        "response-required-property-added": "info",
        "response-optional-property-added": "info",
    }


def test_response_property_became_optional_is_breaking() -> None:
    old = one("/p", op(response=obj(("id",), id=INT)))
    check(old, one("/p", op(response=obj(id=INT))), "response-property-became-optional", "error")


def test_response_property_became_required_is_info() -> None:
    old = one("/p", op(response=obj(id=INT)))
    new = one("/p", op(response=obj(("id",), id=INT)))
    check(old, new, "response-property-became-required", "info")


@pytest.mark.parametrize(
    "nullable",
    [
        pytest.param({"type": "string", "nullable": True}, id="openapi-3.0-nullable"),
        pytest.param({"type": ["string", "null"]}, id="openapi-3.1-type-list"),
        pytest.param({"anyOf": [STR, {"type": "null"}]}, id="pydantic-v2-anyOf"),
    ],
)
def test_response_property_became_nullable_is_breaking(nullable: Json) -> None:
    old = one("/p", op(response=obj(("note",), note=STR)))
    new = one("/p", op(response=obj(("note",), note=nullable)))
    findings = check(old, new, "response-property-became-nullable", "error")
    assert len(findings) == 1  # no spurious type change from the spelling


def test_response_property_became_not_nullable_is_info() -> None:
    old = one("/p", op(response=obj(note={"anyOf": [STR, {"type": "null"}]})))
    new = one("/p", op(response=obj(note=STR)))
    check(old, new, "response-property-became-not-nullable", "info")


def test_response_body_became_nullable_is_breaking() -> None:
    old = one("/p", op(response=obj(id=INT)))
    new = one("/p", op(response={"anyOf": [obj(id=INT), {"type": "null"}]}))
    check(old, new, "response-body-became-nullable", "error")


def test_response_property_type_changed_is_breaking() -> None:
    old = one("/p", op(response=obj(price=STR)))
    check(old, one("/p", op(response=obj(price=INT))), "response-property-type-changed", "error")


def test_response_property_format_dropped_is_breaking() -> None:
    old = one("/p", op(response=obj(at={"type": "string", "format": "date-time"})))
    check(old, one("/p", op(response=obj(at=STR))), "response-property-type-changed", "error")


def test_response_property_type_narrowed_is_info() -> None:
    old = one("/p", op(response=obj(price={"anyOf": [{"type": "number"}, STR]})))
    check(old, one("/p", op(response=obj(price=STR))), "response-property-type-changed", "info")


def test_response_enum_value_added_is_a_warning() -> None:
    old = one("/p", op(response=obj(state={"type": "string", "enum": ["a"]})))
    new = one("/p", op(response=obj(state={"type": "string", "enum": ["a", "b"]})))
    findings = check(old, new, "response-property-enum-value-added", "warning")
    assert not has_breaking(findings)


def test_response_enum_value_removed_is_info() -> None:
    old = one("/p", op(response=obj(state={"type": "string", "enum": ["a", "b"]})))
    new = one("/p", op(response=obj(state={"type": "string", "enum": ["a"]})))
    check(old, new, "response-property-enum-value-removed", "info")


def test_nested_and_array_properties_are_compared() -> None:
    item = obj(("price",), price=STR)
    old = one(
        "/p",
        op(
            response={
                "type": "array",
                "items": obj(("lines",), lines={"type": "array", "items": item}),
            }
        ),
    )
    new_item = obj((), price=STR)
    new = one(
        "/p",
        op(
            response={
                "type": "array",
                "items": obj(("lines",), lines={"type": "array", "items": new_item}),
            }
        ),
    )
    findings = check(old, new, "response-property-became-optional", "error")
    assert "'[].lines[].price'" in findings[0].message


# -- request properties --------------------------------------------------------------------------


def test_request_property_type_changed_is_breaking() -> None:
    old = one("/p", op(body=obj(price={"type": "number"})), "post")
    new = one("/p", op(body=obj(price=STR)), "post")
    check(old, new, "request-property-type-changed", "error")


def test_request_property_type_generalized_is_info() -> None:
    old = one("/p", op(body=obj(qty=INT)), "post")
    new = one("/p", op(body=obj(qty={"type": "number"})), "post")
    check(old, new, "request-property-type-generalized", "info")


def test_request_property_became_required_is_breaking() -> None:
    old = one("/p", op(body=obj(note=STR)), "post")
    new = one("/p", op(body=obj(("note",), note=STR)), "post")
    check(old, new, "request-property-became-required", "error")


def test_request_property_became_optional_is_info() -> None:
    old = one("/p", op(body=obj(("note",), note=STR)), "post")
    check(
        old, one("/p", op(body=obj(note=STR)), "post"), "request-property-became-optional", "info"
    )


def test_new_required_request_property_is_breaking() -> None:
    old = one("/p", op(body=obj(id=INT)), "post")
    new = one("/p", op(body=obj(("reason",), id=INT, reason=STR)), "post")
    check(old, new, "new-required-request-property", "error")


def test_new_optional_request_property_is_info() -> None:
    old = one("/p", op(body=obj(id=INT)), "post")
    new = one("/p", op(body=obj(id=INT, reason=STR)), "post")
    check(old, new, "new-optional-request-property", "info")


def test_new_required_read_only_request_property_is_ignored() -> None:
    old = one("/p", op(body=obj(id=INT)), "post")
    new = one("/p", op(body=obj(("at",), id=INT, at={"type": "string", "readOnly": True})), "post")
    assert diff(old, new) == []


def test_request_property_removed_is_a_warning() -> None:
    old = one("/p", op(body=obj(id=INT, note=STR)), "post")
    findings = check(
        old, one("/p", op(body=obj(id=INT)), "post"), "request-property-removed", "warning"
    )
    assert not has_breaking(findings)


def test_request_property_became_not_nullable_is_breaking() -> None:
    old = one("/p", op(body=obj(note={"type": ["string", "null"]})), "post")
    new = one("/p", op(body=obj(note=STR)), "post")
    check(old, new, "request-property-became-not-nullable", "error")


def test_request_property_became_nullable_is_info() -> None:
    old = one("/p", op(body=obj(note=STR)), "post")
    new = one("/p", op(body=obj(note={"anyOf": [STR, {"type": "null"}]})), "post")
    check(old, new, "request-property-became-nullable", "info")


def test_request_property_enum_value_removed_is_breaking() -> None:
    old = one("/p", op(body=obj(kind={"type": "string", "enum": ["a", "b"]})), "post")
    new = one("/p", op(body=obj(kind={"type": "string", "enum": ["a"]})), "post")
    findings = check(old, new, "request-property-enum-value-removed", "error")
    assert findings[0].message == "removed the enum value \"b\" from the request property 'kind'"


def test_request_property_enum_value_added_is_info() -> None:
    old = one("/p", op(body=obj(kind={"type": "string", "enum": ["a"]})), "post")
    new = one("/p", op(body=obj(kind={"type": "string", "enum": ["a", "b"]})), "post")
    check(old, new, "request-property-enum-value-added", "info")


def test_request_property_became_enum_is_breaking() -> None:
    old = one("/p", op(body=obj(kind=STR)), "post")
    new = one("/p", op(body=obj(kind={"type": "string", "enum": ["a"]})), "post")
    check(old, new, "request-property-became-enum", "error")


# -- request bodies ------------------------------------------------------------------------------


def test_request_body_added_required_is_breaking() -> None:
    old = one("/p", op(), "post")
    check(old, one("/p", op(body=obj(id=INT)), "post"), "request-body-added-required", "error")


def test_request_body_added_optional_is_info() -> None:
    new = one("/p", op(body=obj(id=INT), body_required=False), "post")
    check(one("/p", op(), "post"), new, "request-body-added-optional", "info")


def test_request_body_became_required_is_breaking() -> None:
    old = one("/p", op(body=obj(id=INT), body_required=False), "post")
    check(old, one("/p", op(body=obj(id=INT)), "post"), "request-body-became-required", "error")


def test_request_body_media_type_removed_is_breaking() -> None:
    old = one("/p", op(body=obj(id=INT)), "post")
    new = one("/p", op(body=obj(id=INT), media="application/xml"), "post")
    found = rules(diff(old, new))
    assert found == {
        "request-body-media-type-removed": "error",
        "request-body-media-type-added": "info",
    }


# -- parameters ----------------------------------------------------------------------------------


def test_new_required_request_parameter_is_breaking() -> None:
    old = one("/p", op(params=[]))
    findings = check(
        old, one("/p", op(params=[query("page", True)])), "new-required-request-parameter", "error"
    )
    assert findings[0].message == "added the new required query request parameter 'page'"


def test_new_optional_request_parameter_is_info() -> None:
    old = one("/p", op(params=[]))
    check(old, one("/p", op(params=[query("page")])), "new-optional-request-parameter", "info")


def test_new_path_parameter_is_breaking() -> None:
    param = {"name": "id", "in": "path", "required": True, "schema": INT}
    old = spec({"/p/{id}": {"get": op(params=[param])}})
    new = spec({"/p/{id}": {"get": op(params=[param, {**param, "name": "v", "in": "path"}])}})
    check(old, new, "new-request-path-parameter", "error")


def test_request_parameter_became_required_is_breaking() -> None:
    old = one("/p", op(params=[query("page")]))
    check(
        old,
        one("/p", op(params=[query("page", True)])),
        "request-parameter-became-required",
        "error",
    )


def test_request_parameter_became_optional_is_info() -> None:
    old = one("/p", op(params=[query("page", True)]))
    check(old, one("/p", op(params=[query("page")])), "request-parameter-became-optional", "info")


def test_request_parameter_type_changed_is_breaking() -> None:
    old = one("/p", op(params=[query("page", type="string")]))
    new = one("/p", op(params=[query("page", type="integer")]))
    check(old, new, "request-parameter-type-changed", "error")


def test_request_parameter_type_generalized_is_info() -> None:
    old = one("/p", op(params=[query("page", type="integer")]))
    new = one("/p", op(params=[query("page", anyOf=[INT, STR])]))
    check(old, new, "request-parameter-type-generalized", "info")


def test_request_parameter_enum_value_removed_is_breaking() -> None:
    old = one("/p", op(params=[query("sort", type="string", enum=["asc", "desc"])]))
    new = one("/p", op(params=[query("sort", type="string", enum=["asc"])]))
    check(old, new, "request-parameter-enum-value-removed", "error")


def test_request_parameter_enum_value_added_is_info() -> None:
    old = one("/p", op(params=[query("sort", type="string", enum=["asc"])]))
    new = one("/p", op(params=[query("sort", type="string", enum=["asc", "desc"])]))
    check(old, new, "request-parameter-enum-value-added", "info")


def test_request_parameter_removed_is_a_warning() -> None:
    old = one("/p", op(params=[query("page")]))
    check(old, one("/p", op(params=[])), "request-parameter-removed", "warning")


def test_header_parameters_match_case_insensitively() -> None:
    header = {"in": "header", "required": False, "schema": STR}
    old = one("/p", op(params=[{"name": "X-Request-Id", **header}]))
    new = one("/p", op(params=[{"name": "x-request-id", **header}]))
    assert diff(old, new) == []


# -- responses -----------------------------------------------------------------------------------


def test_success_status_removed_is_breaking() -> None:
    old = one("/p", op(status="200"))
    found = rules(diff(old, one("/p", op(status="201"))))
    assert found == {
        "response-success-status-removed": "error",
        "response-success-status-added": "info",
    }


def test_non_success_status_removed_is_info() -> None:
    old = one("/p", op())
    old["paths"]["/p"]["get"]["responses"]["404"] = {"description": "missing"}
    check(old, one("/p", op()), "response-non-success-status-removed", "info")


def test_response_media_type_removed_is_breaking() -> None:
    old = one("/p", op(response=obj(id=INT)))
    new = one("/p", op(response=obj(id=INT), media="application/problem+json"))
    found = rules(diff(old, new))
    assert found == {"response-media-type-removed": "error", "response-media-type-added": "info"}


# -- security ------------------------------------------------------------------------------------


def test_security_added_to_an_anonymous_operation_is_breaking() -> None:
    old = one("/p", op())
    findings = check(old, one("/p", op(security=BEARER)), "api-security-added", "error")
    assert findings[0].line() == (
        "error [api-security-added] GET /p: the endpoint now requires security bearer; "
        "it accepted anonymous calls before"
    )


def test_security_removed_from_an_operation_is_info() -> None:
    old = one("/p", op(security=BEARER))
    check(old, one("/p", op(security=[])), "api-security-removed", "info")


def test_security_alternative_added_is_info_and_removed_is_breaking() -> None:
    old = one("/p", op(security=BEARER))
    both = one("/p", op(security=[*BEARER, {"apiKey": []}]))
    check(old, both, "api-security-added", "info")
    check(both, old, "api-security-removed", "error")


def test_security_scope_added_is_breaking() -> None:
    old = one("/p", op(security=[{"oauth": ["read"]}]))
    new = one("/p", op(security=[{"oauth": ["read", "write"]}]))
    check(old, new, "api-security-scope-added", "error")
    check(new, old, "api-security-scope-removed", "info")


def test_global_security_added_is_breaking() -> None:
    old = spec({"/p": {"get": op()}})
    findings = check(
        old, spec({"/p": {"get": op()}}, security=BEARER), "api-global-security-added", "error"
    )
    assert findings[0].line().startswith("error [api-global-security-added] (document): ")


def test_global_security_removed_is_info() -> None:
    old = spec({"/p": {"get": op()}}, security=BEARER)
    check(old, spec({"/p": {"get": op()}}), "api-global-security-removed", "info")


def test_operation_security_overrides_the_global_requirement() -> None:
    old = spec({"/p": {"get": op()}}, security=BEARER)
    new = copy.deepcopy(old)
    new["paths"]["/p"]["get"]["security"] = BEARER  # same effective requirement, now explicit
    assert diff(old, new) == []


def test_request_body_removed_is_a_warning() -> None:
    old = one("/p", op(body=obj(id=INT)), "post")
    check(old, one("/p", op(), "post"), "request-body-removed", "warning")


def test_request_body_became_optional_is_info() -> None:
    old = one("/p", op(body=obj(id=INT)), "post")
    new = one("/p", op(body=obj(id=INT), body_required=False), "post")
    check(old, new, "request-body-became-optional", "info")
