"""The breaking-change diff of two OpenAPI documents, in oasdiff's vocabulary.

Operations are matched by path (path-parameter names ignored, as oasdiff does) and method, then
compared part by part: parameters, request body (per media type), responses (per status, per
media type), schemas (recursively, through ``$ref`` with cycle protection) and security. A request
may only widen (accept more) and a response may only narrow (promise more) without breaking
clients; each rule below says which way a change goes.

Levels follow oasdiff, with two deliberate differences: removing an *optional* response property
is an error here (oasdiff: warning), because a client that reads it breaks all the same; and
security is judged by effect: a requirement added to an operation that accepted anonymous calls
is an error, an extra alternative requirement is info, a removed alternative is an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from govkit.contracts.findings import Finding, Level, sorted_findings
from govkit.contracts.spec import JsonObject, Schema, Spec, SpecError

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Direction = Literal["request", "response"]
Requirements = list[dict[str, frozenset[str]]]
_PATH_PARAM = re.compile(r"\{([^}/]*)\}")


def diff(
    old: Mapping[str, Any], new: Mapping[str, Any], *, labels: tuple[str, str] = ("old", "new")
) -> list[Finding]:
    """Every change from ``old`` to ``new`` as findings, breaking first, in a stable order.

    Raises :class:`SpecError` (a ``ValueError``, its message naming the document by ``labels``)
    when either document cannot be read.
    """
    differ = _Differ(Spec(old, label=labels[0]), Spec(new, label=labels[1]))
    try:
        return differ.run()
    except (AttributeError, TypeError) as error:  # an object where a list belongs, or the reverse
        raise SpecError(
            f"{labels[0]} or {labels[1]}: malformed OpenAPI structure ({error})"
        ) from error


@dataclass(frozen=True)
class _Rules:
    """The rule ids for one place where a schema appears (request body, response property...)."""

    type_changed: str
    type_generalized: str
    enum_removed: str
    enum_added: str
    became_enum: str
    became_nullable: str
    became_not_nullable: str


def _rules(prefix: str, enum_removed: str = "", enum_added: str = "", widened: str = "") -> _Rules:
    return _Rules(
        type_changed=f"{prefix}-type-changed",
        type_generalized=widened or f"{prefix}-type-generalized",
        enum_removed=enum_removed or f"{prefix}-enum-value-removed",
        enum_added=enum_added or f"{prefix}-enum-value-added",
        became_enum=f"{prefix}-became-enum",
        became_nullable=f"{prefix}-became-nullable",
        became_not_nullable=f"{prefix}-became-not-nullable",
    )


_REQUEST_BODY = _rules("request-body")
_REQUEST_PROPERTY = _rules("request-property")
_REQUEST_PARAMETER = _rules("request-parameter")
# Responses have no "generalized" rule in oasdiff: a narrower response type is reported as info.
_RESPONSE_BODY = _rules(
    "response-body",
    enum_removed="response-mediatype-enum-value-removed",
    enum_added="response-property-enum-value-added",
    widened="response-body-type-changed",
)
_RESPONSE_PROPERTY = _rules("response-property", widened="response-property-type-changed")


@dataclass(frozen=True)
class _At:
    """Where findings go: one operation (or the whole document), and a suffix for messages."""

    sink: list[Finding]
    path: str
    method: str
    suffix: str = ""

    def __call__(self, rule: str, level: Level, message: str) -> None:
        self.sink.append(Finding(rule, level, self.path, self.method, message + self.suffix))


@dataclass(frozen=True)
class _Place:
    """Where a schema comparison happens: the operation, the side, and how to name things."""

    at: _At
    direction: Direction
    root: _Rules
    nested: _Rules
    root_noun: str  # "request body", "query request parameter 'limit'", "response body"

    @property
    def request(self) -> bool:
        return self.direction == "request"

    def rules(self, loc: str) -> _Rules:
        return self.nested if loc else self.root

    def noun(self, loc: str) -> str:
        return f"{self.direction} property '{loc}'" if loc else self.root_noun


class _Differ:
    def __init__(self, old: Spec, new: Spec) -> None:
        self.old = old
        self.new = new
        self.findings: list[Finding] = []

    def at(self, path: str, method: str) -> _At:
        return _At(self.findings, path, method)

    def run(self) -> list[Finding]:
        old_security = _requirements(self.old, self.old.document.get("security"))
        new_security = _requirements(self.new, self.new.document.get("security"))
        self._security(self.at("", ""), old_security, new_security, "api-global")
        old_paths = {_path_key(p): p for p in self.old.paths}
        new_paths = {_path_key(p): p for p in self.new.paths}
        for key in sorted(old_paths.keys() | new_paths.keys()):
            old_path, new_path = old_paths.get(key), new_paths.get(key)
            if old_path is None and new_path is not None:
                for method, _ in _operations(self.new, new_path):
                    self.at(new_path, method)("endpoint-added", "info", "endpoint added")
            elif new_path is None and old_path is not None:
                for method, op in _operations(self.old, old_path):
                    at = self.at(old_path, method)
                    if op.get("deprecated") is True:
                        at("api-path-removed-with-deprecation", "info", "api path removed")
                    else:
                        at("api-path-removed-without-deprecation", "error", "api path removed")
            elif old_path is not None and new_path is not None:
                self._path(old_path, new_path)
        return sorted_findings(self.findings)

    def _path(self, old_path: str, new_path: str) -> None:
        old_ops = dict(_operations(self.old, old_path))
        new_ops = dict(_operations(self.new, new_path))
        for method in sorted(old_ops.keys() | new_ops.keys()):
            old_op, new_op = old_ops.get(method), new_ops.get(method)
            at = self.at(new_path, method)
            if old_op is None:
                at("endpoint-added", "info", "endpoint added")
            elif new_op is None:
                if old_op.get("deprecated") is True:
                    at("api-removed-with-deprecation", "info", "api removed")
                else:
                    at("api-removed-without-deprecation", "error", "api removed")
            else:
                self._parameters(at, old_path, new_path, method)
                self._request_body(at, old_op, new_op)
                self._responses(at, old_op, new_op)
                if "security" in old_op or "security" in new_op:
                    old_sec = old_op.get("security", self.old.document.get("security"))
                    new_sec = new_op.get("security", self.new.document.get("security"))
                    old_req = _requirements(self.old, old_sec)
                    self._security(at, old_req, _requirements(self.new, new_sec), "api")

    # -- parameters --------------------------------------------------------------------------

    def _parameters(self, at: _At, old_path: str, new_path: str, method: str) -> None:
        olds = _parameters(self.old, old_path, method)
        news = _parameters(self.new, new_path, method)
        for key in sorted(olds.keys() | news.keys()):
            old, new = olds.get(key), news.get(key)
            label = f"{key[0]} request parameter '{(new or old or {}).get('name')}'"
            if new is None:
                at("request-parameter-removed", "warning", f"deleted the {label}")
            elif old is None:
                if key[0] == "path":
                    at("new-request-path-parameter", "error", f"added the new {label}")
                elif new.get("required") is True:
                    at("new-required-request-parameter", "error", f"added the new required {label}")
                else:
                    at("new-optional-request-parameter", "info", f"added the new optional {label}")
            else:
                was, now = old.get("required") is True, new.get("required") is True
                if now and not was:
                    at("request-parameter-became-required", "error", f"the {label} became required")
                elif was and not now:
                    at("request-parameter-became-optional", "info", f"the {label} became optional")
                place = _Place(at, "request", _REQUEST_PARAMETER, _REQUEST_PARAMETER, label)
                old_schema = _parameter_schema(self.old, old)
                new_schema = _parameter_schema(self.new, new)
                self._schema(place, old_schema, new_schema, "", frozenset(), nested=False)

    # -- request body ------------------------------------------------------------------------

    def _request_body(self, at: _At, old_op: JsonObject, new_op: JsonObject) -> None:
        old_raw, new_raw = old_op.get("requestBody"), new_op.get("requestBody")
        if old_raw is None and new_raw is None:
            return
        if old_raw is None:
            if self.new.deref(new_raw)[0].get("required") is True:
                at("request-body-added-required", "error", "added required request body")
            else:
                at("request-body-added-optional", "info", "added optional request body")
            return
        if new_raw is None:
            at("request-body-removed", "warning", "removed the request body")
            return
        old_body, _ = self.old.deref(old_raw)
        new_body, _ = self.new.deref(new_raw)
        was, now = old_body.get("required") is True, new_body.get("required") is True
        if now and not was:
            at("request-body-became-required", "error", "request body became required")
        elif was and not now:
            at("request-body-became-optional", "info", "request body became optional")
        old_content, new_content = _content(self.old, old_body), _content(self.new, new_body)
        for media in sorted(old_content.keys() | new_content.keys()):
            if media not in new_content:
                at("request-body-media-type-removed", "error", f"removed the media type {media}")
            elif media not in old_content:
                at("request-body-media-type-added", "info", f"added the media type {media}")
            else:
                suffix = "" if media == "application/json" else f" ({media})"
                where = replace(at, suffix=suffix)
                place = _Place(where, "request", _REQUEST_BODY, _REQUEST_PROPERTY, "request body")
                old_schema, new_schema = (
                    old_content[media].get("schema"),
                    new_content[media].get("schema"),
                )
                self._schema(place, old_schema, new_schema, "", frozenset())

    # -- responses ---------------------------------------------------------------------------

    def _responses(self, at: _At, old_op: JsonObject, new_op: JsonObject) -> None:
        olds: JsonObject = old_op.get("responses") or {}
        news: JsonObject = new_op.get("responses") or {}
        for status in sorted(olds.keys() | news.keys(), key=str):
            kind = "success" if str(status).startswith("2") else "non-success"
            what = f"the {kind} response with the status {status}"
            if status not in news:
                level: Level = "error" if kind == "success" else "info"
                at(f"response-{kind}-status-removed", level, f"removed {what}")
                continue
            if status not in olds:
                at(f"response-{kind}-status-added", "info", f"added {what}")
                continue
            old_content = _content(self.old, self.old.deref(olds[status])[0])
            new_content = _content(self.new, self.new.deref(news[status])[0])
            for media in sorted(old_content.keys() | new_content.keys()):
                media_what = f"the media type {media} for the response with the status {status}"
                if media not in new_content:
                    at("response-media-type-removed", "error", f"removed {media_what}")
                elif media not in old_content:
                    at("response-media-type-added", "info", f"added {media_what}")
                else:
                    extra = "" if media == "application/json" else f" ({media})"
                    where = replace(at, suffix=f" for the status {status}{extra}")
                    place = _Place(
                        where, "response", _RESPONSE_BODY, _RESPONSE_PROPERTY, "response body"
                    )
                    old_schema = old_content[media].get("schema")
                    new_schema = new_content[media].get("schema")
                    self._schema(place, old_schema, new_schema, "", frozenset())

    # -- schemas -----------------------------------------------------------------------------

    def _schema(
        self,
        place: _Place,
        old_raw: Any,
        new_raw: Any,
        loc: str,
        visiting: frozenset[tuple[str, str]],
        *,
        nested: bool = True,
    ) -> None:
        old, new = self.old.schema(old_raw), self.new.schema(new_raw)
        if old.ref and new.ref:
            if (old.ref, new.ref) in visiting:
                return  # a recursive schema: this pair is being compared further up
            visiting = visiting | {(old.ref, new.ref)}
        rules, noun, at = place.rules(loc), place.noun(loc), place.at

        if old.nullable != new.nullable:
            if new.nullable:
                level: Level = "info" if place.request else "error"
                at(rules.became_nullable, level, f"the {noun} became nullable")
            else:
                level = "error" if place.request else "info"
                at(rules.became_not_nullable, level, f"the {noun} became not nullable")

        if (old.types, old.format) != (new.types, new.format):
            change = f"the {noun} type changed from {old.type_label()} to {new.type_label()}"
            compatible = _accepts(new, old) if place.request else _accepts(old, new)
            rule = rules.type_generalized if compatible else rules.type_changed
            at(rule, "info" if compatible else "error", change)
            if not compatible:
                return  # deeper differences of an incompatible type are noise
        if old.union or new.union:
            return

        self._enum(place, rules, noun, old, new)
        if nested:
            self._properties(place, old, new, loc, visiting)
            if old.items is not None and new.items is not None:
                self._schema(place, old.items, new.items, f"{loc}[]", visiting)
            if old.additional is not None and new.additional is not None:
                self._schema(place, old.additional, new.additional, f"{loc}{{}}", visiting)

    def _enum(self, place: _Place, rules: _Rules, noun: str, old: Schema, new: Schema) -> None:
        if new.enum is None:
            return
        if old.enum is None:
            if place.request:
                message = f"the {noun} was restricted to a list of enum values"
                place.at(rules.became_enum, "error", message)
            return
        old_values = {_key(v) for v in old.enum}
        new_values = {_key(v) for v in new.enum}
        for value in sorted(old_values - new_values):
            level: Level = "error" if place.request else "info"
            place.at(rules.enum_removed, level, f"removed the enum value {value} from the {noun}")
        for value in sorted(new_values - old_values):
            level = "info" if place.request else "warning"
            place.at(rules.enum_added, level, f"added the enum value {value} to the {noun}")

    def _properties(
        self,
        place: _Place,
        old: Schema,
        new: Schema,
        loc: str,
        visiting: frozenset[tuple[str, str]],
    ) -> None:
        at = place.at
        for name in sorted(old.properties.keys() | new.properties.keys()):
            child = f"{loc}.{name}" if loc else name
            noun = place.noun(child)
            if name not in new.properties:
                removed = self.old.schema(old.properties[name])
                if place.request and not removed.read_only:
                    at("request-property-removed", "warning", f"removed the {noun}")
                elif not place.request and not removed.write_only:
                    kind = "required" if name in old.required else "optional"
                    message = f"removed the {kind} property '{child}' from the response"
                    at(f"response-{kind}-property-removed", "error", message)
            elif name not in old.properties:
                added = self.new.schema(new.properties[name])
                required = name in new.required
                kind = "required" if required else "optional"
                if place.request and not added.read_only:
                    level: Level = "error" if required else "info"
                    at(f"new-{kind}-request-property", level, f"added the new {kind} {noun}")
                elif not place.request and not added.write_only:
                    message = f"added the {kind} property '{child}' to the response"
                    at(f"response-{kind}-property-added", "info", message)
            else:
                was, now = name in old.required, name in new.required
                if was != now:
                    became = "required" if now else "optional"
                    breaking = now if place.request else not now
                    rule = f"{place.direction}-property-became-{became}"
                    at(rule, "error" if breaking else "info", f"the {noun} became {became}")
                self._schema(place, old.properties[name], new.properties[name], child, visiting)

    # -- security ----------------------------------------------------------------------------

    def _security(
        self, at: _At, old: Requirements | None, new: Requirements | None, prefix: str
    ) -> None:
        subject = "the API" if prefix == "api-global" else "the endpoint"
        old_open, new_open = _is_open(old), _is_open(new)
        if old_open and new_open:
            return
        if old_open and new:
            message = f"{subject} now requires {_names(new)}; it accepted anonymous calls before"
            at(f"{prefix}-security-added", "error", message)
            return
        if new_open and old:
            at(f"{prefix}-security-removed", "info", f"{subject} no longer requires {_names(old)}")
            return
        old_alts = {tuple(sorted(r)): r for r in old or ()}
        new_alts = {tuple(sorted(r)): r for r in new or ()}
        for key in sorted(new_alts.keys() - old_alts.keys()):
            message = f"the security requirement {'+'.join(key)} was added as an alternative"
            at(f"{prefix}-security-added", "info", message)
        for key in sorted(old_alts.keys() - new_alts.keys()):
            message = f"the security requirement {'+'.join(key)} was removed from {subject}"
            at(f"{prefix}-security-removed", "error", message)
        for key in sorted(old_alts.keys() & new_alts.keys()):
            for scheme in key:
                was, now = old_alts[key][scheme], new_alts[key][scheme]
                for scope in sorted(now - was):
                    message = f"the security scope {scope} was added to the scheme {scheme}"
                    at(f"{prefix}-security-scope-added", "error", message)
                for scope in sorted(was - now):
                    message = f"the security scope {scope} was removed from the scheme {scheme}"
                    at(f"{prefix}-security-scope-removed", "info", message)


def _path_key(path: str) -> str:
    return _PATH_PARAM.sub("{}", path)


def _operations(spec: Spec, path: str) -> Iterator[tuple[str, JsonObject]]:
    item, _ = spec.deref(spec.paths[path])
    for method in METHODS:
        if method in item:
            op, _ = spec.deref(item[method])
            yield method.upper(), op


def _parameters(spec: Spec, path: str, method: str) -> dict[tuple[str, str], JsonObject]:
    """Path-level then operation-level parameters by (in, key); path ones match by position."""
    item, _ = spec.deref(spec.paths[path])
    op, _ = spec.deref(item[method.lower()])
    template = _PATH_PARAM.findall(path)
    found: dict[tuple[str, str], JsonObject] = {}
    for raw in [*(item.get("parameters") or ()), *(op.get("parameters") or ())]:
        param, _ = spec.deref(raw)
        where, name = param.get("in"), param.get("name")
        if not isinstance(where, str) or not isinstance(name, str):
            raise SpecError(f"{spec.label}: a parameter of {method} {path} lacks 'in' or 'name'")
        key = name.lower() if where == "header" else name
        if where == "path" and name in template:
            key = f"#{template.index(name)}"
        found[(where, key)] = param
    return found


def _parameter_schema(spec: Spec, param: JsonObject) -> Any:
    if "schema" in param:
        return param["schema"]
    content = _content(spec, param)
    return next(iter(content.values())).get("schema") if content else None


def _content(spec: Spec, node: JsonObject) -> dict[str, JsonObject]:
    content = node.get("content") or {}
    if not isinstance(content, Mapping):
        raise SpecError(f"{spec.label}: 'content' must be an object of media types")
    return {str(k): v if isinstance(v, Mapping) else {} for k, v in content.items()}


def _requirements(spec: Spec, value: Any) -> Requirements | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise SpecError(f"{spec.label}: 'security' must be a list of requirement objects")
    result: Requirements = []
    for requirement in value:
        if not isinstance(requirement, Mapping):
            raise SpecError(f"{spec.label}: a security requirement must be an object")
        result.append({str(k): frozenset(map(str, v or ())) for k, v in requirement.items()})
    return result


def _is_open(requirements: Requirements | None) -> bool:
    """No requirement, or an empty one among the alternatives: anonymous calls are accepted."""
    return not requirements or any(not r for r in requirements)


def _names(requirements: Requirements) -> str:
    return "security " + " or ".join(sorted("+".join(sorted(r)) for r in requirements))


def _accepts(wide: Schema, narrow: Schema) -> bool:
    """True when every value of ``narrow``'s type is also of ``wide``'s type."""
    if not wide.types:
        return True
    if not narrow.types:
        return False
    if wide.format is not None and wide.format != narrow.format:
        return False
    return all(t in wide.types or (t == "integer" and "number" in wide.types) for t in narrow.types)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
