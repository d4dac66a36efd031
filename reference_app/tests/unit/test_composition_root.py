"""``main.py`` stays a composition root: it wires ``bootstrap`` and defines nothing that serves.

Routes, exception handlers and middleware live in their own modules (``bootstrap/``, each
domain's ``router.py``, ``core/errors.py``); ``main.py`` only calls their ``register_*``.
Read with ``ast``, so a route added there fails here before it is ever served.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pricing_service.main

MAIN = Path(pricing_service.main.__file__)
# Decorators and calls that define something served (FastAPI / Starlette names).
SERVING_ATTRIBUTES = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "trace",
        "api_route",
        "route",
        "websocket",
        "websocket_route",
        "middleware",
        "exception_handler",
        "add_api_route",
        "add_route",
        "add_websocket_route",
        "add_middleware",
        "add_exception_handler",
        "include_router",
        "mount",
    }
)


def definitions_that_serve(source: str) -> list[str]:
    """Each route, handler or middleware the module defines itself: 'line N: what'."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            found.append(f"line {node.lineno}: class {node.name} (belongs in bootstrap/)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in SERVING_ATTRIBUTES:
                found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and target.attr in SERVING_ATTRIBUTES:
                    found.append(f"line {node.lineno}: @{target.attr} on {node.name}")
    return found


def nested_functions(source: str) -> list[str]:
    """Functions defined inside functions: in a factory, those are handlers or middleware."""
    found: list[str] = []
    for top in ast.parse(source).body:
        if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(top):
                if node is not top and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.append(f"line {node.lineno}: {node.name} inside {top.name}")
    return found


def test_main_defines_no_route_handler_or_middleware() -> None:
    source = MAIN.read_text(encoding="utf-8")
    problems = definitions_that_serve(source) + nested_functions(source)
    assert problems == [], (
        "main.py is the composition root: move these into bootstrap/ or a domain's router and "
        "call its register_* function from create_app:\n" + "\n".join(problems)
    )


def test_main_only_wires_registered_parts() -> None:
    tree = ast.parse(MAIN.read_text(encoding="utf-8"))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    assert functions == {"create_app", "app_factory"}


def test_the_check_finds_what_it_forbids() -> None:
    offending = """
from fastapi import FastAPI
from starlette.middleware.base import BaseHTTPMiddleware

class Timing(BaseHTTPMiddleware):
    pass

def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    @app.middleware("http")
    async def stamp(request, call_next):
        return await call_next(request)

    app.add_exception_handler(ValueError, lambda request, exc: None)
    app.add_middleware(Timing)
    return app
"""
    problems = definitions_that_serve(offending)
    assert any("class Timing" in p for p in problems)
    assert any("@get on ping" in p for p in problems)
    assert any("@middleware on stamp" in p for p in problems)
    assert any(".add_exception_handler" in p for p in problems)
    assert any(".add_middleware" in p for p in problems)
    assert len(nested_functions(offending)) == 2
