"""Login: one answer for every bad credential, throttling shared through the database,
and bad input that is always a 4xx problem, never a 500."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing_service.auth.models import LoginFailure, User
from pricing_service.main import create_app
from pricing_service.settings import Settings

PASSWORD = "correct-horse-battery-staple"  # pragma: allowlist secret  # = tests/conftest.py
STABLE_KEYS = ("type", "title", "status", "detail", "code")


def _login(client: TestClient, email: str, password: str) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def _stable(response: Any) -> tuple[Any, ...]:
    body = response.json()
    return (
        response.status_code,
        response.headers.get("www-authenticate"),
        *(body[k] for k in STABLE_KEYS),
    )


def test_unknown_user_wrong_password_and_inactive_look_the_same(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    active = make_user()
    inactive = make_user(is_active=False)
    wrong_password = _login(client, active.email, "wrong-password-123")
    unknown = _login(client, "nobody@example.com", "wrong-password-123")
    disabled = _login(client, inactive.email, PASSWORD)  # even with the right password
    assert wrong_password.status_code == 401
    assert _stable(wrong_password) == _stable(unknown) == _stable(disabled)


def test_email_is_case_insensitive(client: TestClient, make_user: Callable[..., User]) -> None:
    make_user(email="Mixed.Case@Example.com")
    assert _login(client, "mixed.case@EXAMPLE.COM", PASSWORD).status_code == 200


def test_sixth_attempt_on_an_account_is_throttled_existing_or_not(
    client: TestClient, make_user: Callable[..., User], db: Session
) -> None:
    user = make_user()
    answers: dict[str, list[Any]] = {}
    for email in (user.email, "ghost@example.com"):
        answers[email] = [_login(client, email, "wrong-password-123") for _ in range(6)]
        db.query(LoginFailure).delete()  # so the second account starts with a clean IP counter
        db.commit()
        for response in answers[email][:5]:
            assert response.status_code == 401
        throttled = answers[email][5]
        assert throttled.status_code == 429
        assert throttled.headers["content-type"] == "application/problem+json"
        assert throttled.json()["code"] == "too_many_login_attempts"
        assert 1 <= int(throttled.headers["retry-after"]) <= 900
    real, ghost = answers[user.email][5].json(), answers["ghost@example.com"][5].json()
    assert {k: real[k] for k in ("type", "title", "status", "code")} == {
        k: ghost[k] for k in ("type", "title", "status", "code")
    }


def test_throttled_account_refuses_even_the_right_password(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(5):
        _login(client, user.email, "wrong-password-123")
    assert _login(client, user.email, PASSWORD).status_code == 429


def test_success_resets_the_account_counter(
    client: TestClient, make_user: Callable[..., User], db: Session
) -> None:
    user = make_user()
    for _ in range(4):
        _login(client, user.email, "wrong-password-123")
    assert _login(client, user.email, PASSWORD).status_code == 200
    account_key = hashlib.sha256(user.email.encode()).hexdigest()
    failures = select(func.count()).select_from(LoginFailure)
    assert db.scalar(failures.where(LoginFailure.account_key == account_key)) == 0
    assert db.scalar(failures) == 0  # those rows also counted for the client IP
    for _ in range(4):
        assert _login(client, user.email, "wrong-password-123").status_code == 401
    assert _login(client, user.email, PASSWORD).status_code == 200


def test_counters_are_shared_between_app_instances(
    make_settings: Callable[..., Settings], make_user: Callable[..., User]
) -> None:
    """Two app instances (as two processes would) see the same failures: they live in the DB."""
    user = make_user()
    settings = make_settings()
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        for client in (first, second, first, second, first):
            assert _login(client, user.email, "wrong-password-123").status_code == 401
        assert _login(second, user.email, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{}", "application/json"),
        (b'{"email": "a@example.com"}', "application/json"),
        (b'{"password": "x"}', "application/json"),
        (b"not json at all", "application/json"),
        (b"email=a@example.com&password=x", "application/x-www-form-urlencoded"),
        (b'{"email": "not-an-email", "password": "x"}', "application/json"),
        (b'{"email": "a@example.com", "password": ""}', "application/json"),
        (b'{"email": 5, "password": ["x"]}', "application/json"),
        (b'{"email": "a@example.com", "password": "x", "role": "admin"}', "application/json"),
        (b"[]", "application/json"),
    ],
)
def test_bad_login_bodies_are_problems(
    client: TestClient, content: bytes, content_type: str
) -> None:
    response = client.post(
        "/api/auth/login", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code in (401, 415, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_long_password_is_refused_before_hashing(client: TestClient) -> None:
    response = _login(client, "a@example.com", "x" * 10_000)  # a megabyte is a 413: no parsing
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/password"
    assert len(response.content) < 5_000  # the input is not echoed back


@pytest.mark.parametrize(
    "body",
    [{}, {"refresh_token": ""}, {"refresh_token": "x" * 10_000}, {"refresh_token": 42}],
)
def test_bad_refresh_bodies_are_problems(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/auth/refresh", json=body)
    assert response.status_code in (401, 422)
    assert response.headers["content-type"] == "application/problem+json"
