"""``pricing-service users``: create, disable, set-password, ensure-demo, one-line errors."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing_service.auth.models import RefreshFamily, User
from pricing_service.cli import main
from pricing_service.commands import CommandError
from pricing_service.commands.users import _ensure_demo as ensure_demo
from pricing_service.commands.users import handle as main_handler
from pricing_service.core.settings import Environment
from pricing_service.settings import Settings

NEW_PASSWORD = "a-brand-new-long-password"  # pragma: allowlist secret


@pytest.fixture
def cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_create_reads_the_password_from_stdin(
    cli: Callable[..., tuple[int, str, str]], db: Session
) -> None:
    code, out, _ = cli(
        "users", "create", "--email", "New@Example.com", "--role", "pricing_manager",
        "--password-stdin", stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0
    assert "created user new@example.com" in out
    user = db.scalars(select(User)).one()
    assert (user.email, user.role, user.is_active) == ("new@example.com", "pricing_manager", True)
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in out


def test_duplicate_email_is_one_line(
    cli: Callable[..., tuple[int, str, str]], make_user: Callable[..., User]
) -> None:
    make_user(email="taken@example.com")
    code, _, err = cli(
        "users", "create", "--email", "TAKEN@example.com", "--role", "viewer",
        "--password-stdin", stdin=NEW_PASSWORD,
    )  # fmt: skip
    assert code == 2
    assert err == "pricing-service users: a user with email taken@example.com already exists\n"


@pytest.mark.parametrize("action", ["disable", "set-password"])
def test_unknown_user_is_one_line(cli: Callable[..., tuple[int, str, str]], action: str) -> None:
    extra = ["--password-stdin"] if action == "set-password" else []
    code, _, err = cli("users", action, "--email", "ghost@example.com", *extra, stdin=NEW_PASSWORD)
    assert code == 2
    assert err == "pricing-service users: no user with email ghost@example.com\n"


def test_short_password_and_no_terminal_are_refused(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    args = ("users", "create", "--email", "a@example.com", "--role", "viewer")
    code, _, err = cli(*args, "--password-stdin", stdin="short\n")
    assert (code, err.count("\n")) == (2, 1)
    assert "at least 12 characters" in err
    code, _, err = cli(*args)  # stdin is not a terminal: never a hanging prompt
    assert code == 2
    assert "--password-stdin" in err


def test_disable_and_set_password_revoke_every_session(
    cli: Callable[..., tuple[int, str, str]],
    make_user: Callable[..., User],
    auth_headers: Callable[..., dict[str, str]],
    db: Session,
) -> None:
    user = make_user()
    auth_headers(user=user)
    auth_headers(user=user)
    code, _, _ = cli("users", "set-password", "--email", user.email, "--password-stdin",
                     stdin=NEW_PASSWORD)  # fmt: skip
    assert code == 0
    reasons = db.scalars(
        select(RefreshFamily.revoked_reason).where(RefreshFamily.user_id == user.id)
    )
    assert sorted(r or "" for r in reasons) == ["password_changed", "password_changed"]
    assert cli("users", "disable", "--email", user.email)[0] == 0
    db.expire_all()
    assert db.get(User, user.id).is_active is False  # type: ignore[union-attr]


def test_ensure_demo_creates_once_and_prints_credentials_once(
    cli: Callable[..., tuple[int, str, str]], db: Session
) -> None:
    code, first, _ = cli("users", "ensure-demo")
    assert code == 0
    assert first.count("password") == 2
    assert sorted(db.scalars(select(User.role))) == ["admin", "viewer"]
    code, second, _ = cli("users", "ensure-demo")
    assert code == 0
    assert "exists" in second
    assert first.split("password ")[1].split()[0] not in second


@pytest.mark.parametrize("env", [Environment.STAGING, Environment.PRODUCTION])
def test_ensure_demo_is_refused_when_deployed(env: Environment) -> None:
    # model_construct: only the environment matters, not every other deployed-only setting.
    deployed = Settings.model_construct(app_env=env)
    with pytest.raises(CommandError, match="demo users are for development only"):
        main_handler(argparse.Namespace(action="ensure-demo", run=ensure_demo), deployed)
