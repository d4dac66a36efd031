"""Reading an OpenAPI document: local ``$ref`` resolution and a normalized view of schemas.

The view hides the spellings that mean the same thing, so the diff compares meaning:
``nullable: true`` (OpenAPI 3.0), ``type: [..., "null"]`` and ``anyOf: [{...}, {type: null}]``
(OpenAPI 3.1, as FastAPI and pydantic v2 emit) all become ``nullable=True``; ``allOf`` branches
are merged; ``const`` is a one-value enum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonObject = Mapping[str, Any]


class SpecError(ValueError):
    """The document is not an OpenAPI description this diff can read (one-line message)."""


class Spec:
    """One OpenAPI document with its local ``$ref`` targets resolved on demand."""

    def __init__(self, document: Any, *, label: str = "spec") -> None:
        if not isinstance(document, Mapping):
            raise SpecError(f"{label}: an OpenAPI document must be a JSON object")
        if "openapi" not in document and "swagger" not in document:
            raise SpecError(f"{label}: missing the 'openapi' version field")
        paths = document.get("paths", {})
        if not isinstance(paths, Mapping):
            raise SpecError(f"{label}: 'paths' must be an object")
        self.document: JsonObject = document
        self.label = label
        self.paths: JsonObject = paths

    def deref(self, node: Any) -> tuple[JsonObject, str | None]:
        """Follow ``$ref`` chains; return the target object and the first reference followed."""
        first: str | None = None
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref: str = node["$ref"]
            if ref in seen:
                raise SpecError(f"{self.label}: $ref cycle through {ref}")
            seen.add(ref)
            first = first or ref
            node = self._target(ref)
        if not isinstance(node, Mapping):
            where = f" (via {first})" if first else ""
            raise SpecError(f"{self.label}: expected an object{where}, found {type(node).__name__}")
        return node, first

    def _target(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise SpecError(f"{self.label}: only local $refs are supported, found {ref}")
        node: Any = self.document
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or key not in node:
                raise SpecError(f"{self.label}: unresolvable $ref {ref}")
            node = node[key]
        return node

    def schema(self, node: Any) -> Schema:
        """The normalized view of a schema object (``None``/missing means "any value")."""
        return _normalize(self, {} if node is None else node, frozenset())


@dataclass(frozen=True)
class Schema:
    """What a schema accepts, with equivalent spellings folded together."""

    ref: str | None = None
    types: frozenset[str] = frozenset()  # empty: any type; "null" is never in here
    format: str | None = None
    nullable: bool = False
    enum: tuple[Any, ...] | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    items: Any = None
    additional: Any = None  # a schema object when additionalProperties is one
    read_only: bool = False
    write_only: bool = False
    union: bool = False  # anyOf/oneOf with several non-null branches: compared by type only
    refs: frozenset[str] = frozenset()  # every reference followed to build this view

    def type_label(self) -> str:
        if not self.types:
            return "any"
        label = "|".join(sorted(self.types))
        return f"{label} ({self.format})" if self.format else label


def _normalize(spec: Spec, raw: Any, visiting: frozenset[str]) -> Schema:
    node, ref = spec.deref(raw)
    if ref is not None and ref in visiting:
        return Schema(ref=ref, refs=frozenset({ref}))  # a schema that contains itself: stop here
    if ref is not None and len(raw) > 1:
        # OpenAPI 3.1 allows keywords next to a $ref; they apply on top of the target.
        node = {**node, **{k: v for k, v in raw.items() if k != "$ref"}}
    inner = visiting | {ref} if ref else visiting
    refs = {ref} if ref else set()

    types, nullable = _types(node.get("type"))
    nullable = nullable or node.get("nullable") is True
    enum = _enum(node)
    if enum is not None and None in enum:
        nullable = True
        enum = tuple(v for v in enum if v is not None)
    properties: dict[str, Any] = dict(node.get("properties") or {})
    required = set(node.get("required") or ())
    items = node.get("items")
    additional = node.get("additionalProperties")
    fmt = node.get("format")
    union = False

    all_of = [_normalize(spec, b, inner) for b in node.get("allOf") or ()]
    if all_of:
        # allOf accepts null only when every branch does (or the node says so itself).
        nullable = nullable or all(b.nullable for b in all_of)
    for branch in all_of:
        refs |= branch.refs
        types = types & branch.types if types and branch.types else types or branch.types
        properties = {**branch.properties, **properties}
        required |= branch.required
        enum = enum if enum is not None else branch.enum
        items = items if items is not None else branch.items
        fmt = fmt or branch.format

    alternatives = [*(node.get("anyOf") or ()), *(node.get("oneOf") or ())]
    if alternatives:
        branches = [_normalize(spec, b, inner) for b in alternatives]
        for b in branches:
            refs |= b.refs
        real = [b for b in branches if not _is_null(b)]
        nullable = nullable or len(real) < len(branches) or any(b.nullable for b in real)
        if len(real) == 1 and not properties and not types:
            only = real[0]
            types, fmt = only.types, fmt or only.format
            enum = enum if enum is not None else only.enum
            properties, required = dict(only.properties), set(only.required)
            items, additional = only.items, only.additional
            ref = ref or only.ref
        elif len(real) > 1:
            union = True
            types = (
                frozenset().union(*(b.types for b in real))
                if all(b.types for b in real)
                else frozenset()
            )

    if not types and properties:
        types = frozenset({"object"})
    if not types and items is not None:
        types = frozenset({"array"})
    return Schema(
        ref=ref,
        types=frozenset(types),
        format=fmt if isinstance(fmt, str) else None,
        nullable=nullable,
        enum=enum,
        properties=properties,
        required=frozenset(required),
        items=items,
        additional=additional if isinstance(additional, Mapping) and additional else None,
        read_only=node.get("readOnly") is True,
        write_only=node.get("writeOnly") is True,
        union=union,
        refs=frozenset(refs),
    )


def _types(value: Any) -> tuple[frozenset[str], bool]:
    if isinstance(value, str):
        return (frozenset(), True) if value == "null" else (frozenset({value}), False)
    if isinstance(value, list):
        names = {v for v in value if isinstance(v, str)}
        return frozenset(names - {"null"}), "null" in names
    return frozenset(), False


def _enum(node: JsonObject) -> tuple[Any, ...] | None:
    if isinstance(node.get("enum"), list):
        return tuple(node["enum"])
    if "const" in node:
        return (node["const"],)
    return None


def _is_null(schema: Schema) -> bool:
    empty = not schema.types and not schema.properties and schema.enum in (None, ())
    return schema.nullable and empty
