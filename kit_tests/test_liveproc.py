"""liveproc, the one live-process harness of the tests, e2e, staging, bench and the noxfile."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from liveproc import (
    LiveProcess,
    ProcessError,
    free_port,
    http_answers,
    run_to_end,
    running,
    tcp_answers,
)


def http_server(port: int) -> list[str]:
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def test_a_server_is_healthy_then_stopped_and_its_port_freed(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    assert not tcp_answers("127.0.0.1", port)
    with running(
        http_server(port), name="web", cwd=tmp_path, log_dir=tmp_path, ready_url=url
    ) as web:
        assert web.running
        assert http_answers(url)()
        assert not http_answers(url, statuses=(204,))()
    assert web.process.poll() is not None  # stopped
    assert not tcp_answers("127.0.0.1", port)
    assert "GET / HTTP" in (tmp_path / "web.log").read_text()  # its log stays in LOG_DIR


def test_a_process_that_exits_early_fails_with_its_status_and_log(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "print('cannot bind: port taken'); raise SystemExit(3)"]
    with (
        pytest.raises(ProcessError, match=r"early \(exited with 3\) while waiting") as failure,
        running(command, name="early", log_dir=tmp_path, ready_url="http://127.0.0.1:9/"),
    ):
        pass
    assert "cannot bind: port taken" in str(failure.value)


def test_a_process_that_never_answers_times_out_and_is_killed(tmp_path: Path) -> None:
    sleeper = LiveProcess.start([sys.executable, "-c", "import time; time.sleep(60)"], name="nap")
    with pytest.raises(ProcessError, match=r"timed out after 1 s waiting for 127\.0\.0\.1"):
        sleeper.wait_tcp(free_port(), timeout=1)
    log = sleeper.log_path
    assert sleeper.stop(timeout=5) == -15  # SIGTERM
    assert not log.exists()  # a temporary log goes with the process


def test_stop_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('up', flush=True); time.sleep(60)",
    ]
    process = LiveProcess.start(stubborn, name="stubborn", log_dir=tmp_path)
    process.wait_log("up", timeout=10)
    assert process.stop(timeout=0.5) is None  # SIGTERM ignored: killed
    assert process.process.returncode == -9


def test_run_to_end_returns_stdout_or_fails_with_the_last_line() -> None:
    assert run_to_end([sys.executable, "-c", "print('ok')"]) == "ok\n"
    failing = [sys.executable, "-c", "import sys; print('first'); sys.exit('last words')"]
    with pytest.raises(ProcessError, match="exited 1: last words"):
        run_to_end(failing, what="the step")
