"""A newcomer's first hour, literally: clone the kit, then run what the documents say.

From a clean clone of the kit, in a fresh virtual environment holding only the documented
prerequisites (`python3 -m pip install copier nox uv`), each command of the README's run command,
every command block of docs/template.md and of the console's README, and docs/deploy.md's install
without a container runs as written, one line
after another, in the folder the previous `cd` left. The only substitution: the kit's address,
`git+https://github.com/acme/govkit`, becomes a `git+file://` URL of the clone. Servers the
documents start (`nox -s serve`, `npm run dev`) run in the background until the address their
comment names answers; a line that fails, fails the test with its output.

Part of `nox -s template`. It needs Node.js (npm) for the console and the ports the documents
name (8000, 8001, 5173) free on this machine.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from liveproc import LiveProcess, ProcessError, http_answers, tcp_answers

from kit_tests.test_template import KIT_ROOT, SAMPLE_REPO, clean_env, commit_all, copy_kit, git

# The documents' fixed ports: one worker runs these tests, one after the other (`nox -s template`
# spreads the other template tests over its workers).
pytestmark = pytest.mark.xdist_group("newcomer-fixed-ports")

KIT_ADDRESS = "git+https://github.com/acme/govkit"
# Long-running commands the documents start, and the address that answers once they are up.
SERVERS = {
    "nox -s serve": "http://127.0.0.1:8000/health/ready",
    "npm run dev": "http://127.0.0.1:5173/health/ready",  # Vite, proxying to the API
}
PORTS = (8000, 8001, 5173)
_FENCE = re.compile(r"^```(?:bash|sh)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(document: Path) -> list[list[str]]:
    """The shell command blocks of a Markdown document, each as its command lines."""
    return [
        [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        for body in _FENCE.findall(document.read_text(encoding="utf-8"))
    ]


@dataclass
class Newcomer:
    """A shell session as a person would run it: a working folder, an environment, servers."""

    cwd: Path
    env: dict[str, str]
    kit: Path
    logs: Path
    servers: list[LiveProcess] = field(default_factory=list)

    def run(self, line: str, timeout: float = 1200) -> str:
        """Run one documented line (the kit's address swapped for the clone's); its output."""
        line = line.replace(KIT_ADDRESS, f"git+file://{self.kit}")
        words = shlex.split(line, comments=True)
        if words and words[0] == "cd" and len(words) == 2:
            self.cwd = (self.cwd / words[1]).resolve()
            assert self.cwd.is_dir(), f"`{line}`: no such folder {self.cwd}"
            return ""
        server = next((url for command, url in SERVERS.items() if command in line), None)
        if server is not None:
            self.start(line, server)
            return ""
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", line],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"`{line}` exited {result.returncode} in {self.cwd}\n"
            f"--- stdout\n{result.stdout[-5000:]}\n--- stderr\n{result.stderr[-5000:]}"
        )
        return result.stdout + result.stderr

    def start(self, line: str, url: str, timeout: float = 900) -> None:
        """Start a documented server in the background; wait until URL answers 200."""
        server = LiveProcess.start(  # the documented line, run by bash
            ["bash", "-c", line],
            name=f"server-{len(self.servers)}",
            env=self.env,
            cwd=self.cwd,
            log_dir=self.logs,
        )
        self.servers.append(server)
        try:
            server.wait_http(url, timeout)
        except ProcessError as error:
            pytest.fail(f"`{line}` never answered {url}: {error}")

    def stop_servers(self) -> None:
        """SIGTERM each server's whole process group (the session we started, nothing else),
        SIGKILL what is left after 60 s, then wait until the ports are free."""
        for server in reversed(self.servers):
            server.stop(timeout=60, group=True)
        self.servers.clear()
        deadline = time.monotonic() + 60
        while any(tcp_answers("127.0.0.1", p) for p in PORTS) and time.monotonic() < deadline:
            time.sleep(0.5)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean clone of the kit (its work tree committed, as a release would be)."""
    origin = copy_kit(tmp_path_factory.mktemp("origin") / "govkit", version=None)
    target = tmp_path_factory.mktemp("newcomer") / "govkit"
    git(target.parent, "clone", "-q", str(origin), str(target))
    return target


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh virtual environment with the documented prerequisites, first on PATH."""
    venv = tmp_path_factory.mktemp("tools") / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True, env=clean_env())
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "copier", "nox", "uv"],
        check=True,
        env=clean_env(),
        capture_output=True,
    )
    return clean_env({"PATH": f"{venv / 'bin'}:{os.environ['PATH']}"})


@pytest.fixture
def newcomer(clone: Path, tools: dict[str, str], tmp_path: Path) -> Iterator[Newcomer]:
    busy = [port for port in PORTS if tcp_answers("127.0.0.1", port)]
    assert not busy, f"the documents' ports {busy} are in use on this machine: stop what holds them"
    person = Newcomer(cwd=clone, env=dict(tools), kit=clone, logs=tmp_path)
    yield person
    person.stop_servers()


def test_the_readme_run_command(newcomer: Newcomer) -> None:
    [run_command] = [b for b in blocks(KIT_ROOT / "README.md") if "nox -s serve" in " ".join(b)]
    for line in run_command:
        newcomer.run(line)
    with urllib.request.urlopen("http://127.0.0.1:8000/", timeout=5) as response:
        assert b'<div id="root">' in response.read()  # the console, built by the same command


def test_the_console_readme(newcomer: Newcomer) -> None:
    [setup] = [b for b in blocks(KIT_ROOT / "reference_app/frontend/README.md") if "npm ci" in b]
    for line in setup:
        newcomer.run(line)
    assert http_answers("http://127.0.0.1:5173/")()  # Vite's own page too


def test_the_install_without_a_container(newcomer: Newcomer) -> None:
    """docs/deploy.md: the wheel built, installed into a plain venv, migrating."""
    [install] = [b for b in blocks(KIT_ROOT / "docs/deploy.md") if "uv build" in " ".join(b)]
    for line in install:
        newcomer.run(line)


def test_every_command_of_the_template_guide(newcomer: Newcomer, clone: Path) -> None:
    workspace = clone.parent / "work"
    workspace.mkdir()
    bootstrap, adopt, update, selfhost = blocks(KIT_ROOT / "docs/template.md")

    newcomer.cwd = workspace
    for line in bootstrap:  # a new service, its gate green
        newcomer.run(line)

    existing = workspace / "my-existing-repo"  # what the adoption block starts from
    (existing / "src").mkdir(parents=True)
    for name in ("pyproject.toml", ".gitignore"):
        (existing / name).write_bytes((SAMPLE_REPO / name).read_bytes())
    (existing / "README.md").write_text("# My existing project\n")
    git(existing, "init", "-q", "-b", "trunk")
    commit_all(existing, "our code")
    newcomer.cwd = workspace
    for line in adopt:
        newcomer.run(line)
    assert "default_branch: trunk" in (existing / ".copier-answers.yml").read_text()
    commit_all(existing, "adopt the governance kit")

    (clone / "CHANGELOG.md").write_text("# Changes\n\n- 1.1.0: a newer kit\n")
    commit_all(clone, "kit 1.1.0")
    git(clone, "tag", "v1.1.0")  # the kit releases; the update block moves to it
    for line in update:
        newcomer.run(line)
    assert "_commit: v1.1.0" in (existing / ".copier-answers.yml").read_text()

    newcomer.cwd = clone
    for line in selfhost:
        newcomer.run(line)
    assert git(clone, "status", "--porcelain").stdout.strip() == ""  # no drift to sync
