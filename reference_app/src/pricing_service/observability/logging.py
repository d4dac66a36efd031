"""One logging setup: stdlib logging rendered by structlog as JSON lines (or console in dev).

Every line carries timestamp (ISO-8601 UTC), level, logger and event, plus whatever is bound in
the context (``request_id`` inside a request, ``job_id`` inside a sync job). See ADR 0004.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import structlog

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.StackInfoRenderer(),
]


def configure_logging(level: str, fmt: Literal["json", "console"]) -> None:
    """Route stdlib and structlog records through one stdout handler. Safe to call again."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    # Tracebacks as text, never with local variables (they may hold secrets).
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if fmt == "json":
        final.append(structlog.processors.format_exc_info)
    final.append(renderer)
    structlog.configure(
        # Lines below the level are dropped before any processor runs (hot paths log at DEBUG).
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = _StdoutHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=_SHARED, processors=final)
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # uvicorn's own loggers propagate to ours; its access log is replaced by our access line.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # aiosqlite logs every call with its arguments at DEBUG: credentials would reach the logs.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # httpx logs a line per request at INFO: thousands per sync job. Our own lines say more.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current sys.stdout (so a replaced stdout, as under pytest, is honoured)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current sys.stdout."""


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
