"""The one live-process harness: start a process, wait until it answers, stop it, show its log.

Tests, the browser tests, the staging smoke, the benchmarks and the noxfile all start servers the
same way: each process in its own session, its output in a log file (a pipe nobody reads would
block it), stopped by SIGTERM then SIGKILL of exactly its process group. A process that dies or
never answers raises `ProcessError` whose message ends with the last lines of its log.

Standard library only, so that the noxfile can import it from nox's own interpreter.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "LiveProcess",
    "ProcessError",
    "free_port",
    "http_answers",
    "port_is_closed",
    "run_to_end",
    "running",
    "tcp_answers",
    "wait_until",
]

POLL_SECONDS = 0.2
LOG_TAIL_LINES = 20


class ProcessError(RuntimeError):
    """A process exited early or never became healthy; the message says which and shows its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def tcp_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at HOST:PORT."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_is_closed(port: int, host: str = "127.0.0.1") -> bool:
    return not tcp_answers(host, port)


def http_answers(
    url: str,
    statuses: Collection[int] = (200,),
    *,
    context: ssl.SSLContext | None = None,
    timeout: float = 2.0,
) -> Callable[[], bool]:
    """A probe: True when GET URL answers with one of STATUSES (any HTTP error status counts)."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310 - http(s) URLs of our own servers
                return int(response.status) in statuses
        except urllib.error.HTTPError as error:
            return error.code in statuses
        except (OSError, ValueError):  # refused, reset, timed out, TLS not ready
            return False

    return probe


@dataclass
class LiveProcess:
    """A long-running process we started, in its own session, logging to a file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _own_log: bool = field(default=False, repr=False)

    @classmethod
    def start(
        cls,
        command: Sequence[str | os.PathLike[str]],
        *,
        name: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        log_dir: Path | None = None,
    ) -> LiveProcess:
        """Start COMMAND; its output goes to LOG_DIR/NAME.log (a temporary file without LOG_DIR)."""
        label = name or Path(str(command[0])).name
        if log_dir is None:
            handle, path = tempfile.mkstemp(prefix=f"{label}-", suffix=".log")
            os.close(handle)
            log_path, own = Path(path), True
        else:
            log_dir.mkdir(parents=True, exist_ok=True)
            log_path, own = log_dir / f"{label}.log", False
        with log_path.open("wb") as log:  # the child keeps its own descriptor
            process = subprocess.Popen(
                [str(part) for part in command],
                env=dict(env) if env is not None else None,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(label, process, log_path, own)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        """Everything the process wrote so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = LOG_TAIL_LINES) -> str:
        last = self.output().strip().splitlines()[-lines:]
        return f"--- last lines of {self.log_path}\n" + "\n".join(last or ["(no output)"])

    def failure(self, what: str) -> ProcessError:
        """A ProcessError for WHAT, with this process's exit status and the tail of its log."""
        state = "running" if self.running else f"exited with {self.process.returncode}"
        return ProcessError(f"{self.name} ({state}) {what}\n{self.tail()}")

    def wait_until(self, what: str, probe: Callable[[], bool], timeout: float) -> None:
        """Call PROBE until it returns True; ProcessError after TIMEOUT or if the process exits."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                raise self.failure(f"while {what}")
            if probe():
                return
            if time.monotonic() > deadline:
                raise self.failure(f"timed out after {timeout:.0f} s {what}")
            time.sleep(POLL_SECONDS)

    def wait_http(
        self,
        url: str,
        timeout: float = 30.0,
        statuses: Collection[int] = (200,),
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.wait_until(f"waiting for {url}", http_answers(url, statuses, context=context), timeout)

    def wait_tcp(self, port: int, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
        self.wait_until(f"waiting for {host}:{port}", lambda: tcp_answers(host, port), timeout)

    def wait_log(self, text: str, timeout: float = 30.0) -> None:
        self.wait_until(f"waiting for {text!r} in its log", lambda: text in self.output(), timeout)

    def children(self, command_contains: bytes = b"") -> list[int]:
        """Direct child processes by pid (uvicorn's workers), optionally by a command-line part."""
        found = []
        try:
            for task in Path(f"/proc/{self.pid}/task").iterdir():
                for pid in (task / "children").read_text().split():
                    if command_contains in Path(f"/proc/{pid}/cmdline").read_bytes():
                        found.append(int(pid))
        except OSError:  # a process ended while we looked
            return found
        return found

    def terminate(self, timeout: float = 15.0, *, group: bool = False) -> int | None:
        """SIGTERM (to the whole process group with GROUP), then wait; the exit code, or None
        when it did not exit in time."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(self.pid, signal.SIGTERM)
                else:
                    self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self, timeout: float = 10.0) -> None:
        """SIGKILL whatever is left of this process group (orphaned workers too); wait until
        the group is gone, at most TIMEOUT."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # the group we created, nothing else
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader; the others are reparented and reaped by init
            try:
                os.killpg(self.pid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.1)

    def stop(self, timeout: float = 15.0, *, group: bool = False) -> int | None:
        """SIGTERM and wait TIMEOUT, then SIGKILL the group; the exit code of the graceful stop."""
        code = self.terminate(timeout, group=group)
        self.kill()
        if self._own_log:
            self.log_path.unlink(missing_ok=True)
        return code


@contextlib.contextmanager
def running(
    command: Sequence[str | os.PathLike[str]],
    *,
    name: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    log_dir: Path | None = None,
    ready_url: str | None = None,
    ready_statuses: Collection[int] = (200,),
    ready_port: int | None = None,
    timeout: float = 30.0,
    stop_timeout: float = 15.0,
) -> Iterator[LiveProcess]:
    """COMMAND running until the block ends; healthy first when READY_URL or READY_PORT is given."""
    live = LiveProcess.start(command, name=name, env=env, cwd=cwd, log_dir=log_dir)
    try:
        if ready_url is not None:
            live.wait_http(ready_url, timeout, ready_statuses)
        if ready_port is not None:
            live.wait_tcp(ready_port, timeout)
        yield live
    finally:
        live.stop(stop_timeout)


def run_to_end(
    command: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    stdin: str | None = None,
    timeout: float = 120.0,
    what: str | None = None,
) -> str:
    """Run COMMAND to completion; its stdout, or ProcessError with the last line it wrote."""
    argv = [str(part) for part in command]
    label = what or " ".join([Path(argv[0]).name, *argv[1:3]])
    try:
        result = subprocess.run(
            argv,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProcessError(f"{label} took more than {timeout:.0f} s") from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise ProcessError(f"{label} exited {result.returncode}: {lines[-1]}")
    return result.stdout


def wait_until(what: str, probe: Callable[[], bool], timeout: float) -> None:
    """Call PROBE until it returns True; ProcessError after TIMEOUT (no process to watch)."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise ProcessError(f"timed out after {timeout:.0f} s {what}")
        time.sleep(POLL_SECONDS)
