"""The log line contract of ADR 0004: our structlog lines and stdlib records render alike.

Log search and the runbooks rely on these keys, in this order, one JSON object per stdout line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from pricing_service.core.logging import configure_logging, get_logger

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
log = get_logger("pricing_service.test")  # made before any configuration, as modules do


@pytest.fixture(autouse=True)
def _json_at_info() -> Iterator[None]:
    configure_logging("INFO", "json")
    yield
    configure_logging("INFO", "json")  # what the rest of the suite runs with


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    out = capsys.readouterr().out
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def test_structlog_line_shape(capsys: pytest.CaptureFixture[str]) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-shape-0001"):
        log.info("request", method="GET", route="/health/live", status=200, duration_ms=0.12)
    [line] = lines(capsys)
    assert list(line) == [
        "method",
        "route",
        "status",
        "duration_ms",
        "event",
        "request_id",
        "level",
        "logger",
        "timestamp",
    ]
    assert line | {"timestamp": "-"} == {
        "method": "GET",
        "route": "/health/live",
        "status": 200,
        "duration_ms": 0.12,
        "event": "request",
        "request_id": "req-shape-0001",
        "level": "info",
        "logger": "pricing_service.test",
        "timestamp": "-",
    }
    assert ISO_UTC.fullmatch(line["timestamp"])


def test_stdlib_line_shape(capsys: pytest.CaptureFixture[str]) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-shape-0002"):
        logging.getLogger("uvicorn.error").warning("Started server process [%d]", 42)
    [line] = lines(capsys)
    assert list(line) == ["event", "request_id", "level", "logger", "timestamp"]
    assert line["event"] == "Started server process [42]"
    assert (line["request_id"], line["level"], line["logger"]) == (
        "req-shape-0002",
        "warning",
        "uvicorn.error",
    )
    assert ISO_UTC.fullmatch(line["timestamp"])


def test_tracebacks_are_text_without_locals(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "hunter2-local"  # noqa: F841  # pragma: allowlist secret - must not be shown
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed", step="x")
        logging.getLogger("sqlalchemy.engine").exception("failed too")
    ours, theirs = lines(capsys)
    for line in (ours, theirs):
        assert line["level"] == "error"
        assert list(line)[-1] == "exception"
        assert line["exception"].startswith("Traceback (most recent call last):")
        assert line["exception"].endswith("RuntimeError: boom")
        assert "hunter2" not in json.dumps(line)
    assert ours["step"] == "x"


def test_level_filtering_follows_the_latest_configuration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log.debug("hidden")
    logging.getLogger("tests.stdlib").debug("hidden")
    assert capsys.readouterr().out == ""
    configure_logging("DEBUG", "json")
    log.debug("shown")
    logging.getLogger("tests.stdlib").debug("shown")
    assert [(x["event"], x["level"]) for x in lines(capsys)] == [("shown", "debug")] * 2


def test_non_ascii_values_stay_escaped_and_exact(capsys: pytest.CaptureFixture[str]) -> None:
    log.info("named", name="Café ☕ 💸", count=2**70)
    out = capsys.readouterr().out
    assert out.isascii()
    [line] = [json.loads(x) for x in out.splitlines()]
    assert (line["name"], line["count"]) == ("Café ☕ 💸", 2**70)


def test_console_format_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "console")
    secret = "hunter2-local"  # noqa: F841  # pragma: allowlist secret - must not be shown
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("failed", step="x")
    out = capsys.readouterr().out
    assert "failed" in out
    assert "[pricing_service.test]" in out
    assert "step=x" in out
    assert "RuntimeError: boom" in out
    assert "hunter2" not in out
