"""``pricing-service users``: create, disable and set-password; ensure-demo for development.

Passwords come from an interactive prompt or ``--password-stdin``, never from argv (argv is
visible to every user of the machine and lands in shell history).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from pricing_service.auth.models import User
from pricing_service.auth.passwords import passwords_for
from pricing_service.auth.permissions import Role
from pricing_service.auth.service import AuthService, UserAdminError
from pricing_service.auth.session_cache import SessionCache
from pricing_service.auth.tokens import TokenCodec
from pricing_service.commands import CommandError
from pricing_service.core.db import create_engine, session_factory
from pricing_service.settings import Settings

T = TypeVar("T")

DEMO_USERS = (("admin@example.com", Role.ADMIN), ("viewer@example.com", Role.VIEWER))


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "users", help="manage API users", description=__doc__
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    create = actions.add_parser("create", help="create a user (asks for the password)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    create.set_defaults(handler=handle, run=_create)

    disable = actions.add_parser("disable", help="disable a user and end all their sessions")
    disable.add_argument("--email", required=True)
    disable.set_defaults(handler=handle, run=_disable)

    set_password = actions.add_parser(
        "set-password", help="set a new password and end all the user's sessions"
    )
    set_password.add_argument("--email", required=True)
    set_password.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    set_password.set_defaults(handler=handle, run=_set_password)

    demo = actions.add_parser(
        "ensure-demo", help="development only: create a demo admin and viewer if missing"
    )
    demo.set_defaults(handler=handle, run=_ensure_demo)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    run: Callable[[argparse.Namespace, Settings], int] = args.run
    return run(args, settings)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args.password_stdin)
    user = _with_service(settings, lambda s: s.create_user(args.email, password, args.role))
    sys.stdout.write(f"created user {user.email} (id {user.id}, role {user.role})\n")
    return 0


def _disable(args: argparse.Namespace, settings: Settings) -> int:
    user = _with_service(settings, lambda s: s.disable_user(args.email))
    sys.stdout.write(f"disabled user {user.email}; all their sessions are revoked\n")
    return 0


def _set_password(args: argparse.Namespace, settings: Settings) -> int:
    password = _read_password(args.password_stdin)
    user = _with_service(settings, lambda s: s.set_password(args.email, password))
    sys.stdout.write(f"password set for {user.email}; all their sessions are revoked\n")
    return 0


def _ensure_demo(_args: argparse.Namespace, settings: Settings) -> int:
    if settings.app_env.is_deployed:
        raise CommandError(f"demo users are for development only, not {settings.app_env}")
    for email, role in DEMO_USERS:
        created = _with_service(settings, partial(_ensure, email=email, role=role))
        if created is None:
            sys.stdout.write(f"demo {role.value}: {email} exists (password shown when created)\n")
        else:
            sys.stdout.write(f"demo {role.value}: {email} password {created}\n")
    return 0


async def _ensure(service: AuthService, email: str, role: Role) -> str | None:
    """The new password when the user was created, None when it already existed."""
    if await service.session.scalar(select(User.id).where(User.email == email)) is not None:
        return None
    password = secrets.token_urlsafe(12)
    await service.create_user(email, password, role.value)
    return password


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise CommandError("the two passwords differ")
    else:
        raise CommandError("no terminal to ask for the password: pass --password-stdin")
    if not password:
        raise CommandError("the password is empty")
    return password


def _with_service(settings: Settings, action: Callable[[AuthService], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                # No cache here: the API workers hear of this command's changes from PostgreSQL.
                service = AuthService(
                    session,
                    settings,
                    TokenCodec(settings),
                    passwords_for(settings),
                    SessionCache(ttl_seconds=0),
                )
                return await action(service)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except UserAdminError as error:
        raise CommandError(str(error)) from None
    except (OperationalError, ProgrammingError) as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "unreachable"
        raise CommandError(
            f"database not ready ({reason}): run `pricing-service migrate` first"
        ) from None
