"""Where a request's time goes: the service's ASGI app called in-process, without a server.

    uv run python reference_app/bench/profile_app.py [--requests 2000] [--pyinstrument auth_me]

Run after ``api_load.py`` (it leaves the seeded ``bench`` database behind) or point
``--database-url`` at any migrated database with products. Each endpoint is called sequentially
with a hand-built ASGI scope (no HTTP parsing, no sockets), so the figures are the app's own cost:
CPU microseconds per request in this process, and wall microseconds (which add the database
round trips). A bare FastAPI endpoint is measured the same way for reference. ``--pyinstrument
KEY`` prints a call-tree profile of that endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import orjson
import psycopg
import uvloop
from bare_app import app as bare_app
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pyinstrument import Profiler
from sqlalchemy import create_engine, insert, select
from starlette.types import ASGIApp, Message

from pricing_service.auth.models import RefreshFamily, User
from pricing_service.auth.tokens import TokenCodec, TokenType, new_session_id
from pricing_service.core.db import driver_conninfo, sync_url
from pricing_service.main import create_app
from pricing_service.pricing.schemas import PRODUCT_FIELDS, product_json
from pricing_service.settings import load_settings

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


@dataclass(frozen=True)
class Call:
    key: str
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


async def call(app: ASGIApp, request: Call, token: str | None) -> int:
    headers = [(b"host", b"127.0.0.1")]
    headers += [(k.encode(), v.encode()) for k, v in request.headers]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if request.body:
        headers.append((b"content-length", str(len(request.body)).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent_body = False
    status = 0

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await asyncio.sleep(3600)  # a client that stays connected
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def mint_token(database_url: str, settings: Any) -> str:
    """An access token for the first user, with a live session row (no argon2, no login)."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.begin() as connection:
            user_id = connection.execute(select(User.id).order_by(User.id).limit(1)).scalar()
            if user_id is None:
                raise SystemExit("no user in the database: run api_load.py first")
            session_id = new_session_id()
            connection.execute(insert(RefreshFamily).values(id=session_id, user_id=user_id))
    finally:
        engine.dispose()
    return TokenCodec(settings).encode(TokenType.ACCESS, user_id, session_id).token


def raw_page_app(database_url: str) -> ASGIApp:
    """The floor of GET /api/products?limit=50: the same page through psycopg alone.

    One connection, the same query and JSON members, orjson; no framework, no pool, no auth,
    no SQLAlchemy. What the service spends above this row is its stack's cost.
    """
    conninfo = driver_conninfo(database_url)
    columns = ", ".join(PRODUCT_FIELDS)
    query = f"SELECT {columns} FROM products ORDER BY id LIMIT 51"  # noqa: S608 - constants
    connection: psycopg.AsyncConnection[Any] | None = None

    async def app(_scope: Any, _receive: Any, send: Any) -> None:
        nonlocal connection
        if connection is None:
            connection = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
        cursor = await connection.execute(query)
        rows = await cursor.fetchall()
        body = orjson.dumps({"items": [product_json(r) for r in rows[:50]], "next_cursor": "50"})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


async def measure(
    app: ASGIApp, request: Call, token: str | None, count: int
) -> tuple[float, float]:
    for _ in range(50):  # warm caches, pools and lazily built things
        status = await call(app, request, token)
    if not 200 <= status < 300:
        raise SystemExit(f"{request.key} answered {status}")
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        await call(app, request, token)
    return (
        (time.process_time() - cpu) / count * 1e6,
        (time.perf_counter() - wall) / count * 1e6,
    )


async def main_async(args: argparse.Namespace, out: TextIO) -> None:
    os.environ.update(
        APP_ENV="production",
        DATABASE_URL=args.database_url,
        JWT_SECRET=secrets.token_urlsafe(48),
        CORS_ALLOWED_ORIGINS="https://pricing.example.com",
        ML_API_BASE_URL="https://marketplace.invalid",
        ML_CLIENT_ID="bench",
        ML_CLIENT_SECRET=secrets.token_urlsafe(24),
        ML_REFRESH_TOKEN=secrets.token_urlsafe(24),
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        LOG_LEVEL=args.log_level,
    )
    settings = load_settings()
    app: FastAPI = create_app(settings)
    token = mint_token(args.database_url, settings)
    calls: list[tuple[ASGIApp, Call, str | None]] = [
        (bare_app, Call("bare", "GET", "/bare"), None),
        (app, Call("health_live", "GET", "/health/live"), None),  # the middleware stack alone
        (app, Call("auth_me", "GET", "/api/auth/me"), token),
        (app, Call("products_list", "GET", "/api/products", "limit=50"), token),
        (app, Call("product_get", "GET", "/api/products/42"), token),
        (raw_page_app(args.database_url), Call("products_raw", "GET", "/"), None),
    ]
    async with app.router.lifespan_context(app):
        out.write(f"{'endpoint':<16} {'cpu us/req':>11} {'wall us/req':>12}\n")
        for target, request, bearer in calls:
            if args.only and request.key not in args.only:
                continue
            cpu, wall = await measure(target, request, bearer, args.requests)
            out.write(f"{request.key:<16} {cpu:>11.0f} {wall:>12.0f}\n")
        for key in args.pyinstrument:
            target, request, bearer = next(c for c in calls if c[1].key == key)
            profiler = Profiler(interval=0.0002, async_mode="disabled")
            with profiler:
                for _ in range(args.requests):
                    await call(target, request, bearer)
            out.write(profiler.output_text(unicode=False, color=False, show_all=False))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="profile_app.py", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--log-level", default="INFO", help="INFO writes the access line")
    parser.add_argument("--only", action="append", default=[], help="endpoint key (repeatable)")
    parser.add_argument(
        "--pyinstrument", action="append", default=[], help="profile this endpoint key"
    )
    args = parser.parse_args(argv)
    out = sys.stdout
    # The service's log lines (access log included) go to sys.stdout: keep them out of the table.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        uvloop.run(main_async(args, out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
