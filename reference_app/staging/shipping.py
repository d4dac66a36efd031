"""The service as it ships: installed by the Dockerfile's own command, or from its wheel alone.

Images cannot be built on these machines (no registry for base images), so the smoke proves the
install path instead. ``install_as_the_image_does`` reads the last ``RUN uv sync ...`` of
``reference_app/Dockerfile`` and its ``ENV UV_*`` settings, and runs exactly that into a fresh
environment: what the smoke starts is what the image would hold, never the development
environment. ``install_wheel_alone`` builds the wheel (``uv build``) and installs it by itself
into a fresh virtual environment, resolving its declared dependencies as ``pip install`` would.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from pathlib import Path

from liveproc import run_to_end

from staging.stack import SmokeError

APP_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = APP_ROOT.parent
DOCKERFILE = APP_ROOT / "Dockerfile"
PACKAGE = "pricing-service"
_INSTRUCTION = re.compile(r"^(RUN|ENV)\s+(.*)$", re.MULTILINE)


def dockerfile_install(text: str) -> tuple[list[str], dict[str, str]]:
    """The last ``RUN uv sync`` command of the Dockerfile's text, and its ``ENV UV_*`` settings."""
    text = text.replace("\\\n", " ")
    commands: list[list[str]] = []
    settings: dict[str, str] = {}
    for kind, body in _INSTRUCTION.findall(text):
        words = shlex.split(body)
        if kind == "RUN" and words[:2] == ["uv", "sync"]:
            commands.append(words)
        elif kind == "ENV":
            pairs = dict(w.split("=", 1) for w in words if "=" in w)
            settings.update({k: v for k, v in pairs.items() if k.startswith("UV_")})
    if not commands:
        raise SmokeError(f"{DOCKERFILE} has no `RUN uv sync ...` line: nothing to install from")
    settings.pop("UV_PROJECT_ENVIRONMENT", None)  # the image's path; ours is a fresh folder
    return commands[-1], settings


def _uv() -> str:
    found = shutil.which("uv")
    if found is None:
        raise SmokeError("uv is not on PATH: `python3 -m pip install uv` (the image has it too)")
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    run_to_end(command, env=env, cwd=REPO_ROOT, timeout=900, what=f"{what} ({shlex.join(command)})")


def install_as_the_image_does(target: Path) -> Path:
    """Run the Dockerfile's install command into TARGET; the ``pricing-service`` it installed."""
    command, settings = dockerfile_install(DOCKERFILE.read_text(encoding="utf-8"))
    env = (
        os.environ | settings | {"UV_PROJECT_ENVIRONMENT": str(target), "UV_PYTHON": sys.executable}
    )
    env.pop("VIRTUAL_ENV", None)
    _run([_uv(), *command[1:]], env, "the Dockerfile's install")
    return _program(target)


def install_wheel_alone(workdir: Path) -> Path:
    """Build the wheel, install it by itself into a fresh venv; its ``pricing-service``."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    dist, venv = workdir / "dist", workdir / "wheel-venv"
    _run([_uv(), "build", "--wheel", "--package", PACKAGE, "-o", str(dist)], env, "uv build")
    [wheel] = dist.glob("pricing_service-*.whl")
    _run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], env, "uv venv")
    _run(
        [_uv(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        env,
        "installing the wheel",
    )
    return _program(venv)


def _program(environment: Path) -> Path:
    program = environment / "bin" / PACKAGE
    if not program.exists():
        raise SmokeError(f"the install left no {program}")
    return program
