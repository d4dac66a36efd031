"""JWT matrix: helpers to mint and forge tokens, and the ID → result table printed at the end.

Test names carry the matrix ID: ``test_jwt_01_login_success`` is JWT-01,
``test_jwt_e07_expired_beyond_leeway`` is the extended case JWT-E07. The table lists every case
that ran; a run with ``-m jwt_matrix`` (the nox session) that misses one of JWT-01..JWT-15, or
skips any case, fails: a case that did not run proves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from _pytest.terminal import TerminalReporter
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pricing_service.auth.models import RefreshFamily, RefreshToken, User
from pricing_service.auth.tokens import TokenCodec, TokenType, hash_jti, new_session_id
from pricing_service.core.time import utcnow
from pricing_service.settings import Settings

TEST_PASSWORD = "correct-horse-battery-staple"  # pragma: allowlist secret  # = tests/conftest.py
REQUIRED_IDS = tuple(f"JWT-{n:02d}" for n in range(1, 16))
_NAME = re.compile(r"test_jwt_(e?\d\d)_(\w+)")


# --- the table -----------------------------------------------------------------------------


@dataclass
class _Results:
    rows: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (scenario, outcome)


_RESULTS = _Results()


def _case_id(item_name: str) -> tuple[str, str] | None:
    match = _NAME.match(item_name.split("[")[0])
    if match is None:
        return None
    return f"JWT-{match.group(1).upper()}", match.group(2).replace("_", " ")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    case = _case_id(report.nodeid.rsplit("::", 1)[-1])
    if case is None or "jwt_matrix" not in report.keywords:
        return
    case_id, scenario = case
    previous = _RESULTS.rows.get(case_id, (scenario, "passed"))[1]
    if report.when == "call" or report.outcome != "passed":
        outcome = report.outcome if previous == "passed" else previous
        _RESULTS.rows[case_id] = (scenario, outcome)


def _whole_matrix(config: pytest.Config) -> bool:
    return bool(config.getoption("markexpr", "") == "jwt_matrix")


def _missing(config: pytest.Config) -> list[str]:
    """Matrix IDs without a result, when the whole matrix was asked for (``-m jwt_matrix``)."""
    if not _whole_matrix(config):
        return []
    return [case_id for case_id in REQUIRED_IDS if case_id not in _RESULTS.rows]


def _skipped(config: pytest.Config) -> list[str]:
    """Matrix IDs that were skipped, when the whole matrix was asked for."""
    if not _whole_matrix(config):
        return []
    return sorted(case for case, (_, outcome) in _RESULTS.rows.items() if outcome == "skipped")


def pytest_terminal_summary(terminalreporter: TerminalReporter, config: pytest.Config) -> None:
    if not _RESULTS.rows:
        return
    missing = _missing(config)
    write = terminalreporter.write_line
    terminalreporter.section("JWT matrix")
    write(f"{'ID':<9} {'result':<8} scenario")
    for case_id in sorted(_RESULTS.rows, key=lambda c: (c.startswith("JWT-E"), c)):
        scenario, outcome = _RESULTS.rows[case_id]
        write(f"{case_id:<9} {outcome.upper():<8} {scenario}")
    for case_id in missing:
        write(f"{case_id:<9} {'MISSING':<8} no test carries this ID")
    failed = sum(1 for _, outcome in _RESULTS.rows.values() if outcome != "passed")
    write(f"{len(_RESULTS.rows)} cases, {failed} not passed, {len(missing)} missing")
    skipped = _skipped(config)
    if skipped:
        write(f"FAILED: {', '.join(skipped)} skipped: a case that did not run proves nothing")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus == 0 and (_missing(session.config) or _skipped(session.config)):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def codec(settings: Settings) -> TokenCodec:
    return TokenCodec(settings)


@pytest.fixture
def open_session(db: Session) -> Callable[[User], str]:
    """Open a login session (refresh family) for a user; returns its id (the ``sid`` claim)."""

    def open_(user: User) -> str:
        family = RefreshFamily(id=new_session_id(), user_id=user.id, created_at=utcnow())
        db.add(family)
        db.commit()
        return family.id

    return open_


@pytest.fixture
def mint(db: Session, codec: TokenCodec) -> Callable[..., str]:
    """``mint(type, user, sid, now=None)``: a real token; refresh tokens are recorded too."""

    def mint_(token_type: TokenType, user: User, sid: str, now: datetime | None = None) -> str:
        issued = codec.encode(token_type, user.id, sid, now=now)
        if token_type is TokenType.REFRESH:
            db.add(
                RefreshToken(
                    jti_hash=hash_jti(issued.jti),
                    family_id=sid,
                    issued_at=issued.issued_at,
                    expires_at=issued.expires_at,
                )
            )
            db.commit()
        return issued.token

    return mint_


@pytest.fixture
def forge(settings: Settings, codec: TokenCodec) -> Callable[..., str]:
    """``forge(user, sid, drop=(), key=None, algorithm="HS256", **claims)``: a hand-made token.

    Starts from valid access claims signed with the service key, then applies the changes.
    """

    def forge_(
        user: User,
        sid: str,
        *,
        drop: tuple[str, ...] = (),
        key: str | None = None,
        algorithm: str = "HS256",
        **claims: Any,
    ) -> str:
        now = datetime.now(UTC).replace(microsecond=0)
        payload: dict[str, Any] = {
            "sub": str(user.id),
            "type": "access",
            "sid": sid,
            "jti": "forged-" + new_session_id(),
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(minutes=5),
            "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience,
        }
        payload.update(claims)
        for name in drop:
            payload.pop(name)
        signing_key = "" if algorithm == "none" else (key or settings.jwt_signing_secret)
        return jwt.encode(
            payload, signing_key, algorithm=algorithm, headers={"kid": codec.signing_kid}
        )

    return forge_


@pytest.fixture
def login(client: TestClient) -> Callable[..., dict[str, Any]]:
    """``login(user)`` over HTTP with the test password → the token response body."""

    def login_(user: User, password: str = TEST_PASSWORD) -> dict[str, Any]:
        response = client.post("/api/auth/login", json={"email": user.email, "password": password})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return login_


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response: Any, code: str = "invalid_token") -> None:
    """401, problem+json with the given code, and the RFC 6750 Bearer challenge."""
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer")
    if code == "invalid_token":
        assert 'error="invalid_token"' in challenge
