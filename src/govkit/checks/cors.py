"""Wildcard CORS (T02), found by following values, not by matching text.

A CORS sink is a call that configures CORS (``CORSMiddleware(...)``,
``add_middleware(CORSMiddleware, ...)``, Starlette's ``Middleware(CORSMiddleware, ...)``,
flask-cors's ``CORS(app, origins=...)``) or a django-cors-headers setting
(``CORS_ALLOW_ALL_ORIGINS``, ``CORS_ALLOWED_ORIGINS``, ...). Each value reaching a sink is
followed through the module that configures it: function locals, module constants, a settings
class's field default (``settings.allowed_hosts`` with ``allowed_hosts: list[str] = ["*"]``), an
environment default (``os.getenv("ORIGINS", "*")``), both branches of a conditional, and one
import hop to another module of the repository. A wildcard origin, an ``allow_origin_regex``
that matches any origin, or either of them with credentials allowed (the worse case) is a
finding at the sink, naming where the value came from. A sink under a test for a development
environment (``if settings.environment == "development":``) is development-only; ``DEBUG``
is not such a test: debug mode reaches production too often.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from govkit.checks.base import Finding, register
from govkit.checks.code_health import CodeCheck
from govkit.profile import Profile, profile_of
from govkit.repo import Repo

_ORIGIN_KEYWORDS = frozenset({"allow_origins", "allowed_origins", "origins"})
_REGEX_KEYWORDS = frozenset({"allow_origin_regex"})
_CREDENTIAL_KEYWORDS = frozenset({"allow_credentials", "supports_credentials"})
_DJANGO_ALL = frozenset({"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"})
_DJANGO_LIST = frozenset({"CORS_ALLOWED_ORIGINS", "CORS_ORIGIN_WHITELIST"})
_DJANGO_REGEX = frozenset({"CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ORIGIN_REGEX_WHITELIST"})
_DJANGO_CREDENTIALS = "CORS_ALLOW_CREDENTIALS"
# Settings modules that only development or tests load (config/settings/local.py, ...).
_DEV_SETTINGS = re.compile(r"^(?:local|dev|development|test|tests|testing)(?:_\w+)?\.py$")
# A test that holds only in development: `env == "development"`, `settings.is_local`, ...
_DEV_NAMES = r"dev|development|local|localhost|test|testing"
_DEV_COMPARE = re.compile(rf"""(?:==|\bin\b)\s*[\[(]?\s*['"](?:{_DEV_NAMES})['"]""", re.I)
_DEV_FLAG = re.compile(rf"^(?:\w+\.)*(?:is_|IS_)(?:{_DEV_NAMES})$", re.I)
_ENV_READERS = frozenset({"getenv", "get", "env", "config", "str", "list", "bool", "json"})
# list(x), str(x), ...: the value of x; x.strip(), x.lower(): the value of x.
_CONVERSIONS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "str"})
_STRING_METHODS = frozenset({"strip", "lower", "rstrip", "lstrip"})
_TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})
_PROBE_ORIGIN = "https://attacker.invalid"
_MAX_DEPTH = 8
_MAX_IMPORT_HOPS = 2

FIX = (
    "Read trusted origins from settings, empty by default, and refuse '*' outside development, "
    "e.g. `cors_allowed_origins: list[str] = []` in the settings class, "
    "`CORS_ALLOWED_ORIGINS=https://app.example.com` in production, and "
    "`app.add_middleware(CORSMiddleware, allow_origins=settings.cors_allowed_origins)`."
)


@dataclass(frozen=True)
class Value:
    """A value a name can hold, and the place it was written."""

    value: Any  # a constant (str, bool, ...), or a frozenset of the strings a collection holds
    path: str
    line: int
    via: str  # how it got to the sink: "the default of Settings.allowed_hosts", ...


@dataclass
class _Module:
    rel: str
    tree: ast.Module
    assigns: dict[str, list[tuple[ast.expr, int]]]
    classes: dict[str, ast.ClassDef]
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]
    imports: dict[str, tuple[str, str | None, int]]  # name -> (module, attribute, level)


def _module(rel: str, tree: ast.Module) -> _Module:
    mod = _Module(rel, tree, {}, {}, {}, {})
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    mod.assigns.setdefault(target.id, []).append((node.value, node.lineno))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            if isinstance(node.target, ast.Name):
                mod.assigns.setdefault(node.target.id, []).append((node.value, node.lineno))
        elif isinstance(node, ast.ClassDef):
            mod.classes[node.name] = node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            mod.functions[node.name] = node
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                mod.imports[alias.asname or alias.name] = (
                    node.module or "",
                    alias.name,
                    node.level,
                )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                mod.imports[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0],
                    None,
                    0,
                )
    return mod


class _Flow:
    """Follows values through the modules of one repository (each parsed once, by the Repo)."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._modules: dict[str, _Module | None] = {}

    def module(self, rel: str) -> _Module | None:
        if rel not in self._modules:
            tree = self.repo.python_ast(rel)
            self._modules[rel] = None if tree is None else _module(rel, tree)
        return self._modules[rel]

    def resolve_module(self, current: str, name: str, level: int) -> str | None:
        """The repository file of module `name` imported from `current` (None: not ours)."""
        if level:
            base = PurePosixPath(current).parent
            for _ in range(level - 1):
                base = base.parent
            stem = base.joinpath(*name.split(".")) if name else base
            for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
                candidate = candidate.removeprefix("./")
                if self.repo.exists(candidate):
                    return candidate
            return None
        tail = name.replace(".", "/")
        found = [
            f
            for f in self.repo.python_files
            if f in (f"{tail}.py", f"{tail}/__init__.py")
            or f.endswith((f"/{tail}.py", f"/{tail}/__init__.py"))
        ]
        return min(found, key=len) if found else None

    # -- names --------------------------------------------------------------------------------

    def binding(
        self, name: str, mod: _Module, scope: ast.AST | None, hops: int
    ) -> Iterator[tuple[str, Any, _Module, ast.AST | None]]:
        """What `name` is bound to: ("expr", node), ("class", ClassDef), ("function", def),
        ("module", _Module) or ("param", annotation), with the module it lives in."""
        if scope is not None:
            local = [
                node
                for node in ast.walk(scope)
                if isinstance(node, ast.Assign | ast.AnnAssign)
                and node.value is not None
                and any(
                    isinstance(t, ast.Name) and t.id == name
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
            ]
            if local:
                parents = _parents(scope)
                for node in local:
                    assert node.value is not None
                    if not _enclosing(node, parents)[1]:
                        yield "expr", node.value, mod, scope
                return
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                args = scope.args
                for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                    if arg.arg == name and arg.annotation is not None:
                        yield "param", arg.annotation, mod, None
                        return
        if name in mod.assigns:
            for value, _ in mod.assigns[name]:
                yield "expr", value, mod, None
        elif name in mod.classes:
            yield "class", mod.classes[name], mod, None
        elif name in mod.functions:
            yield "function", mod.functions[name], mod, None
        elif name in mod.imports and hops < _MAX_IMPORT_HOPS:
            module, attribute, level = mod.imports[name]
            if attribute is None:
                target = self.resolve_module(mod.rel, module, level)
                other = self.module(target) if target else None
                if other is not None:
                    yield "module", other, other, None
                return
            target = self.resolve_module(mod.rel, module, level)
            other = self.module(target) if target else None
            if other is not None and attribute in (
                other.assigns.keys() | other.classes.keys() | other.functions.keys()
            ):
                yield from self.binding(attribute, other, None, hops + 1)
                return
            # `from package import module`
            sub = self.resolve_module(
                mod.rel, f"{module}.{attribute}" if module else attribute, level
            )
            submodule = self.module(sub) if sub else None
            if submodule is not None:
                yield "module", submodule, submodule, None

    def classes_of(
        self, node: ast.expr, mod: _Module, scope: ast.AST | None, depth: int, hops: int = 0
    ) -> Iterator[tuple[ast.ClassDef, _Module]]:
        """The classes whose instances (or which themselves) `node` may be."""
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, ast.Name):
            for kind, bound, where, inner in self.binding(node.id, mod, scope, hops):
                if kind == "class":
                    yield bound, where
                elif kind in ("expr", "param"):
                    yield from self.classes_of(bound, where, inner, depth + 1, hops)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                for kind, bound, where, _ in self.binding(func.id, mod, scope, hops):
                    if kind == "class":
                        yield bound, where
                    elif kind == "function":
                        for ret in ast.walk(bound):
                            if isinstance(ret, ast.Return) and ret.value is not None:
                                yield from self.classes_of(ret.value, where, bound, depth + 1)
        elif isinstance(node, ast.Subscript):  # Annotated[Settings, Depends(...)]
            yield from self.classes_of(node.slice, mod, scope, depth + 1, hops)
        elif isinstance(node, ast.Tuple) and node.elts:
            yield from self.classes_of(node.elts[0], mod, scope, depth + 1, hops)

    # -- values -------------------------------------------------------------------------------

    def values(
        self, node: ast.expr, mod: _Module, scope: ast.AST | None, depth: int = 0, via: str = ""
    ) -> Iterator[Value]:
        """Every constant value `node` may evaluate to, with where it was written."""
        if depth > _MAX_DEPTH:
            return
        here = via or "a literal"
        if isinstance(node, ast.Constant):
            yield Value(node.value, mod.rel, node.lineno, here)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            yield from self._collection(node.elts, node, mod, scope, depth, here)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            for generator in node.generators:
                yield from self.values(generator.iter, mod, scope, depth + 1, via)
        elif isinstance(node, ast.Name):
            for kind, bound, where, inner in self.binding(node.id, mod, scope, 0):
                if kind == "expr":
                    yield from self.values(bound, where, inner, depth + 1, via or f"`{node.id}`")
        elif isinstance(node, ast.Attribute):
            yield from self._attribute(node, mod, scope, depth, via)
        elif isinstance(node, ast.Call):
            yield from self._call(node, mod, scope, depth, via)
        elif isinstance(node, ast.IfExp):
            if not _development_only(node.test):
                yield from self.values(node.body, mod, scope, depth + 1, _when(via, node.test))
            yield from self.values(node.orelse, mod, scope, depth + 1, via)
        elif isinstance(node, ast.BoolOp):
            for operand in node.values:
                yield from self.values(operand, mod, scope, depth + 1, via)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            yield from self.values(node.left, mod, scope, depth + 1, via)
            yield from self.values(node.right, mod, scope, depth + 1, via)
        elif isinstance(node, ast.Starred):
            yield from self.values(node.value, mod, scope, depth + 1, via)

    def _collection(
        self,
        elts: list[ast.expr],
        node: ast.expr,
        mod: _Module,
        scope: ast.AST | None,
        depth: int,
        via: str,
    ) -> Iterator[Value]:
        items: set[str] = set()
        where = (mod.rel, node.lineno, via)
        for elt in elts:
            for value in self.values(elt, mod, scope, depth + 1, via):
                found = value.value if isinstance(value.value, frozenset) else {value.value}
                strings = {v for v in found if isinstance(v, str)}
                if strings - items and (_wildcard(strings) or _matches_all(strings)):
                    where = (value.path, value.line, value.via)
                items |= strings
        yield Value(frozenset(items), *where)

    def _attribute(
        self, node: ast.Attribute, mod: _Module, scope: ast.AST | None, depth: int, via: str
    ) -> Iterator[Value]:
        base = node.value
        if isinstance(base, ast.Name):
            for kind, bound, _, _ in self.binding(base.id, mod, scope, 0):
                if kind == "module" and node.attr in bound.assigns:
                    for value, _ in bound.assigns[node.attr]:
                        yield from self.values(
                            value, bound, None, depth + 1, via or f"`{base.id}.{node.attr}`"
                        )
                    return
        for cls, where in self.classes_of(base, mod, scope, depth + 1):
            default = _field_default(cls, node.attr)
            if default is not None:
                label = via or f"the default of {cls.name}.{node.attr}"
                yield from self.values(default, where, None, depth + 1, label)

    def _call(
        self, node: ast.Call, mod: _Module, scope: ast.AST | None, depth: int, via: str
    ) -> Iterator[Value]:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "split" and isinstance(func, ast.Attribute):
            first = node.args[0] if node.args else None
            separator = first.value if isinstance(first, ast.Constant) else None
            separator = separator if isinstance(separator, str) else None
            for value in self.values(func.value, mod, scope, depth + 1, via):
                if isinstance(value.value, str):
                    parts = value.value.split(separator)
                    yield Value(
                        frozenset(p.strip() for p in parts), value.path, value.line, value.via
                    )
                else:
                    yield value
            return
        if isinstance(func, ast.Name) and name in _CONVERSIONS and node.args:
            yield from self.values(node.args[0], mod, scope, depth + 1, via)
            return
        if isinstance(func, ast.Attribute) and name in _STRING_METHODS:
            yield from self.values(func.value, mod, scope, depth + 1, via)
            return
        if name == "Field":
            default = _keyword(node, "default")
            if default is None and node.args and not _is_ellipsis(node.args[0]):
                default = node.args[0]
            if default is not None:
                yield from self.values(default, mod, scope, depth + 1, via)
            return
        variable = node.args[0] if node.args else None
        if (
            name in _ENV_READERS
            and isinstance(variable, ast.Constant)
            and isinstance(variable.value, str)
        ):
            default = _keyword(node, "default")
            if default is None and len(node.args) > 1:
                default = node.args[1]
            if default is not None:
                label = f"the environment default of {variable.value}"
                yield from self.values(default, mod, scope, depth + 1, label)

    def truthy(self, node: ast.expr, mod: _Module, scope: ast.AST | None) -> Value | None:
        for value in self.values(node, mod, scope):
            if value.value is True or (
                isinstance(value.value, str) and value.value.lower() in _TRUE_STRINGS
            ):
                return value
        return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _field_default(cls: ast.ClassDef, attr: str) -> ast.expr | None:
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id == attr and node.value is not None:
                return node.value
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attr for t in node.targets
        ):
            return node.value
    return None


def _development_only(test: ast.expr) -> bool:
    text = ast.unparse(test)
    return bool(_DEV_COMPARE.search(text) or _DEV_FLAG.match(text.strip()))


def _when(via: str, test: ast.expr) -> str:
    return f"{via or 'a literal'} (taken when `{ast.unparse(test)}`)"


def _wildcard(strings: set[str] | frozenset[str]) -> bool:
    return "*" in strings


def _matches_all(strings: set[str] | frozenset[str]) -> bool:
    for pattern in strings:
        try:
            if re.fullmatch(pattern, _PROBE_ORIGIN):
                return True
        except re.error:
            continue
    return False


def _strings(value: Value) -> frozenset[str]:
    if isinstance(value.value, frozenset):
        return frozenset(v for v in value.value if isinstance(v, str))
    return frozenset({value.value}) if isinstance(value.value, str) else frozenset()


def _first(values: Iterator[Value], test: Any) -> Value | None:
    return next((v for v in values if test(_strings(v))), None)


def _origin_text(value: Value, at: str, line: int, what: str) -> str:
    source = "" if value.via == "a literal" else f" from {value.via}"
    elsewhere = "" if (value.path, value.line) == (at, line) else f" ({value.path}:{value.line})"
    return f"{what}{source}{elsewhere}"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> tuple[ast.AST | None, bool]:
    """The innermost enclosing function, and whether a development-only test guards `node`."""
    scope: ast.AST | None = None
    guarded = False
    child, current = node, parents.get(node)
    while current is not None:
        if scope is None and isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = current
        if (
            isinstance(current, ast.If)
            and child in current.body
            and _development_only(current.test)
        ):
            guarded = True
        child, current = current, parents.get(current)
    return scope, guarded


def _is_cors_call(call: ast.Call) -> bool:
    names = [call.func, *call.args[:1]]
    text = " ".join(ast.unparse(n) for n in names)
    keywords = {k.arg for k in call.keywords}
    return "CORS" in text.upper() or bool(keywords & (_REGEX_KEYWORDS | {"allow_origins"}))


def _with_credentials(credentials: Value | None) -> str:
    if credentials is None:
        return ""
    return (
        ", with credentials allowed: any website can send requests carrying your users' "
        "cookies or tokens and read the answers"
    )


def module_findings(flow: _Flow, rel: str) -> list[Finding]:
    """Wildcard CORS configured in one module."""
    mod = flow.module(rel)
    if mod is None:
        return []
    findings: list[Finding] = []
    parents = _parents(mod.tree)
    for node in ast.walk(mod.tree):
        if isinstance(node, ast.Call) and _is_cors_call(node):
            findings.extend(_call_findings(flow, mod, node, parents))
    if _DEV_SETTINGS.match(PurePosixPath(rel).name):
        return findings
    findings.extend(_django_findings(flow, mod))
    return findings


def _call_findings(
    flow: _Flow, mod: _Module, call: ast.Call, parents: dict[ast.AST, ast.AST]
) -> list[Finding]:
    scope, guarded = _enclosing(call, parents)
    if guarded:
        return []
    credentials = None
    for keyword in call.keywords:
        if keyword.arg in _CREDENTIAL_KEYWORDS:
            credentials = flow.truthy(keyword.value, mod, scope)
    found: list[Finding] = []
    for keyword in call.keywords:
        if keyword.arg in _ORIGIN_KEYWORDS:
            value = _first(flow.values(keyword.value, mod, scope), _wildcard)
            what = f'`{keyword.arg}` is "*"'
        elif keyword.arg in _REGEX_KEYWORDS:
            value = _first(flow.values(keyword.value, mod, scope), _matches_all)
            what = f"`{keyword.arg}` matches every origin"
        else:
            continue
        if value is None:
            continue
        line = keyword.value.lineno
        found.append(
            Finding(
                "CORS allows any origin: "
                + _origin_text(value, mod.rel, line, what)
                + _with_credentials(credentials)
                + ". "
                + FIX,
                mod.rel,
                line,
            )
        )
    return found


def _django_findings(flow: _Flow, mod: _Module) -> list[Finding]:
    def first(names: frozenset[str] | set[str], test: Any) -> tuple[str, int, Value] | None:
        for name in sorted(names & mod.assigns.keys()):
            for expr, line in mod.assigns[name]:
                value = test(expr)
                if value is not None:
                    return name, line, value
        return None

    credentials = first({_DJANGO_CREDENTIALS}, lambda e: flow.truthy(e, mod, None))
    hits = [
        (first(_DJANGO_ALL, lambda e: flow.truthy(e, mod, None)), "is on"),
        (first(_DJANGO_LIST, lambda e: _first(flow.values(e, mod, None), _wildcard)), 'holds "*"'),
        (
            first(_DJANGO_REGEX, lambda e: _first(flow.values(e, mod, None), _matches_all)),
            "holds a pattern matching every origin",
        ),
    ]
    found: list[Finding] = []
    for hit, what in hits:
        if hit is None:
            continue
        name, line, value = hit
        found.append(
            Finding(
                "CORS allows any origin: "
                + _origin_text(value, mod.rel, line, f"`{name}` {what}")
                + _with_credentials(credentials[2] if credentials else None)
                + ". List trusted origins in CORS_ALLOWED_ORIGINS, read from the environment, "
                "and allow every origin only in the development settings module.",
                mod.rel,
                line,
            )
        )
    return found


def _mentions_cors(text: str) -> bool:
    return "CORS" in text or "origin" in text


def cors_findings(repo: Repo, files: tuple[str, ...] | list[str] | None = None) -> list[Finding]:
    """Every wildcard CORS configuration in the repository's application Python files."""
    flow = _Flow(repo)
    found: list[Finding] = []
    for rel in profile_of(repo).application_python_files if files is None else files:
        if _mentions_cors(repo.text(rel) or ""):
            found.extend(module_findings(flow, rel))
    return found


@register
class CH101(CodeCheck):
    """No wildcard CORS origin in a production code path"""

    scope = "health"
    kinds = frozenset({"wildcard-cors"})
    family = "security"
    severity = "P0"
    effort = "S"
    ticket = "T02"
    files_expected = ("app/main.py", "app/core/config.py", ".env.example")

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        return cors_findings(repo, profile.application_python_files)
