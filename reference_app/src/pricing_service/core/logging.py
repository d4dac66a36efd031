"""One logging setup: our structlog lines and stdlib records, as JSON lines (or console in dev).

Every line carries timestamp (ISO-8601 UTC), level, logger and event, plus whatever is bound in
the context (``request_id`` inside a request, ``job_id`` inside a background job). See ADR 0004.

Our own loggers are structlog's native filtering loggers: a call below the level is a no-op and
any other is rendered straight to stdout, without a stdlib LogRecord (the access line is written
on every request). Records of stdlib loggers (uvicorn, SQLAlchemy, Alembic, httpx) reach one
handler whose ProcessorFormatter runs the same processors, so both give the same line.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, Literal, cast

import orjson
import structlog
from structlog.typing import FilteringBoundLogger

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.stdlib.add_logger_name,  # the stdlib record's name, or our _StdoutSink's
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]

# What json.dumps with structlog's repr() fallback wrote: keys that are not strings become
# strings, datetimes and dataclasses go through the fallback instead of orjson's own rendering.
_ORJSON_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _dumps(event_dict: Any, default: Callable[[Any], Any]) -> str:
    """orjson's compact line; json.dumps (same layout) for non-ASCII text or what orjson refuses.

    json.dumps escapes non-ASCII characters, so the line stays ASCII whatever stdout's encoding.
    """
    try:
        line = orjson.dumps(event_dict, default=default, option=_ORJSON_OPTIONS).decode()
        if line.isascii():
            return line
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, say
        pass
    return json.dumps(event_dict, default=default, separators=(",", ":"))


_write_lock = threading.Lock()


def _write_line(line: str) -> None:
    # The current sys.stdout (so a replaced one, as under pytest, is honoured), flushed per line
    # so a container's log collector sees each line as it happens.
    with _write_lock:
        stdout = sys.stdout
        stdout.write(line + "\n")
        stdout.flush()


class _StdoutSink:
    """What our structlog loggers write to: one rendered line per call."""

    def __init__(self, name: str) -> None:
        self.name = name  # read by add_logger_name

    def msg(self, line: str) -> None:
        try:
            _write_line(line)
        except (OSError, ValueError):  # a closed, broken or non-encoding stdout
            # As logging.Handler.handleError: a line that cannot be written must not fail the
            # request or job that logged it.
            traceback.print_exc(file=sys.stderr)

    debug = info = warning = error = critical = msg


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler of stdlib records: the current sys.stdout, as _StdoutSink writes."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current sys.stdout."""


def configure_logging(level: str, fmt: Literal["json", "console"]) -> None:
    """Route our structlog loggers and stdlib records to stdout. Safe to call again."""
    # Tracebacks as text, never with local variables (they may hold secrets).
    renderer: list[Any]
    if fmt == "json":
        renderer = [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ]
    else:
        renderer = [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    root = logging.getLogger()
    root.setLevel(level)
    structlog.configure(
        processors=[*_SHARED, *renderer],
        # Calls below the level are no-ops: no processor runs (hot paths log at DEBUG).
        wrapper_class=structlog.make_filtering_bound_logger(root.level),
        logger_factory=_StdoutSink,
        # _Logger caches instead, so that a later configure_logging reaches module-level loggers.
        cache_logger_on_first_use=False,
    )
    for logger in _loggers.values():
        logger.rebuild()
    handler = _StdoutHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
        )
    )
    root.handlers = [handler]
    # uvicorn's own loggers propagate to ours; its access log is replaced by our access line.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # aiosqlite logs every call with its arguments at DEBUG: credentials would reach the logs.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # httpx logs a line per request at INFO: thousands per sync job. Our own lines say more.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # psycopg's pool logs three lines per borrowed connection at INFO (ADR 0012's read path);
    # its warnings (a connection found broken, a failed reconnection) still come through.
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)


class _Logger:
    """One name's logger, rebuilt by each configure_logging call.

    Modules make their loggers at import time, and structlog's own cache would keep the first
    configuration (its level) for good; tests switch to DEBUG and back.
    """

    __slots__ = ("_bound", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self.rebuild()

    def rebuild(self) -> None:
        proxy = structlog.get_logger(self._name)
        # Before any configure_logging, structlog's defaults, rebuilt per call (so each call
        # writes to the sys.stdout of the moment).
        self._bound = proxy.bind() if structlog.is_configured() else proxy

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._bound, attribute)


_loggers: dict[str, _Logger] = {}


def get_logger(name: str) -> FilteringBoundLogger:
    logger = _loggers.get(name)
    if logger is None:
        logger = _loggers[name] = _Logger(name)
    return cast(FilteringBoundLogger, logger)
