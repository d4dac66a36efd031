"""Moving parts of the API load benchmark: the database, the two servers and the wrk runs.

Servers run under `liveproc` (each in its own process group, stopped by pid), so a failed run
leaves nothing behind on the machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from liveproc import LiveProcess, run_to_end
from sqlalchemy import make_url

BENCH_DIR = Path(__file__).resolve().parent
LUA_SCRIPT = BENCH_DIR / "wrk_load.lua"
RESULT_MARKER = "BENCH_JSON "
READY_TIMEOUT_SECONDS = 60.0
PROFILE_RATE_HZ = 250
_PROCESS_PREFIX = re.compile(r'^(?:process \d+:"[^"]*";?)*')


class BenchError(Exception):
    """The benchmark cannot run as asked; the message is one line for the person."""


def pricing_service_command() -> list[str]:
    """The `pricing-service` entry point of this environment (the venv running us)."""
    beside = Path(sys.executable).parent / "pricing-service"
    found = str(beside) if beside.exists() else shutil.which("pricing-service")
    if found is None:
        raise BenchError("pricing-service is not installed: run `uv sync --all-packages` first")
    return [found]


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is not on PATH: `apt-get install -y wrk` (nox -s bench does it)")
    return found


# --- database ---------------------------------------------------------------------------------


def recreate_postgres_database(database_url: str) -> str:
    """Drop and create the benchmark database; return the server version.

    Only a database whose name starts with ``bench`` is ever dropped, so a mistyped URL cannot
    wipe a real one.
    """
    url = make_url(database_url)
    name = url.database or ""
    if not name.startswith("bench"):
        raise BenchError(f"refusing to recreate database {name!r}: its name must start with bench")
    admin = url.set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0]
        raise BenchError(f"cannot recreate database {name}: {reason}") from None
    return str(row[0]) if row else "unknown"


def run_cli(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, stdin: str | None = None
) -> None:
    """Run a `pricing-service` command to completion (ProcessError with its last line)."""
    run_to_end([*pricing_service_command(), *args], env=env, cwd=cwd, stdin=stdin, timeout=600)


# --- servers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A server under load: its address and its process (started and stopped by liveproc)."""

    base_url: str
    live: LiveProcess

    @property
    def name(self) -> str:
        return self.live.name

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor we started)."""
        return self.live.children()


# --- wrk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """One wrk invocation."""

    url: str
    connections: int
    threads: int
    duration_seconds: float
    timeout_seconds: float
    env: Mapping[str, str]


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    # CPU of the server's worker processes, and of the database's backends serving them, per
    # request during the run: steadier than req/s when other processes share the cores.
    server_cpu_us: float = 0.0
    database_cpu_us: float = 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def run_wrk(load: Load) -> Measurement:
    command = [
        wrk_binary(),
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={max(1, round(load.duration_seconds))}s",
        f"--timeout={max(1, round(load.timeout_seconds))}s",
        f"--script={LUA_SCRIPT}",
        load.url,
    ]
    env = {**os.environ, **load.env, "BENCH_THREADS": str(load.threads)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in result.stdout.splitlines() if x.startswith(RESULT_MARKER)), None)
    if result.returncode != 0 or line is None:
        detail = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise BenchError(f"wrk failed on {load.url}: {detail[-1]}")
    return parse_wrk_line(line)


def parse_wrk_line(line: str) -> Measurement:
    data: dict[str, Any] = json.loads(line.removeprefix(RESULT_MARKER))
    errors: dict[str, int] = data["errors"]
    latency: dict[str, float] = data["latency_us"]
    seconds = data["duration_us"] / 1e6
    return Measurement(
        requests_per_second=data["requests"] / seconds if seconds else 0.0,
        p50_ms=latency["p50"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        requests=int(data["requests"]),
        non_2xx=int(errors["status"]),  # wrk counts responses with status >= 400 here
        socket_errors=sum(int(errors[k]) for k in ("connect", "read", "write", "timeout")),
    )


# --- CPU per request ------------------------------------------------------------------------


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU the processes have used so far (those that still exist)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (proc(5))
    return total / ticks


def backend_pids(database_url: str) -> list[int]:
    """PostgreSQL's server processes connected to this database (not ours: we are not)."""
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(row[0]) for row in rows]


# --- profiles (py-spy) -------------------------------------------------------------------------


def py_spy_binary() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise BenchError("py-spy is not installed: `uv sync` (it is a dev dependency)")
    return found


def run_wrk_profiled(load: Load, pid: int, output: Path) -> Measurement:
    """One wrk run while py-spy samples the server's processes (on-CPU stacks, raw format)."""
    recorder = subprocess.Popen(
        [
            py_spy_binary(),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--nonblocking",  # never pauses the workers: the profile does not change the timing
            "--rate",
            str(PROFILE_RATE_HZ),
            "--duration",
            str(max(1, round(load.duration_seconds))),
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        measurement = run_wrk(load)
    finally:
        _, error = recorder.communicate(timeout=60)
    if recorder.returncode != 0 or not output.exists():
        last = (error or "").strip().splitlines() or ["no output"]
        raise BenchError(f"py-spy failed: {last[-1]}")
    return measurement


def _area(frame: str) -> str:
    """The package a raw py-spy frame 'function (package/module.py:line)' belongs to."""
    if not frame:  # no Python frame on the stack: the C event loop and I/O
        return "native (uvloop, httptools, libpq)"
    path = frame.rsplit(" (", 1)[-1].rstrip(")")
    parts = path.split("/")
    if parts[0] == "pricing_service" and len(parts) > 2:
        return f"pricing_service.{parts[1]}"
    return parts[0].rsplit(".py:", 1)[0] if len(parts) > 1 else path.split(".py:", 1)[0]


def summarize_profile(raw: Path, top: int = 8) -> dict[str, Any]:
    """Self time by library, and the service functions that include the most samples."""
    total = 0
    by_area: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        # 'process N:"command line";' prefixes (a command line may contain ';') then frames.
        frames = _PROCESS_PREFIX.sub("", stack).split(";")
        total += count
        leaf = _area(frames[-1])
        by_area[leaf] = by_area.get(leaf, 0) + count
        for name in {
            f.split(" (", 1)[0] + " " + _area(f) for f in frames if "pricing_service/" in f
        }:
            inclusive[name] = inclusive.get(name, 0) + count

    def shares(counts: dict[str, int]) -> dict[str, float]:
        ranked = sorted(counts.items(), key=lambda item: -item[1])[:top]
        return {name: round(100 * n / total, 1) for name, n in ranked} if total else {}

    return {
        "samples": total,
        "self_by_library_pct": shares(by_area),
        "service_functions_inclusive_pct": shares(inclusive),
    }
