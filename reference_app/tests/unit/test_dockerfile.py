"""The Dockerfile cannot be built here (no Docker engine), so it is checked statically:
hadolint is clean, every file it copies exists, and its entry point is a real command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from staging.shipping import dockerfile_install
from staging.stack import SmokeError

from pricing_service.cli import build_parser

APP_ROOT = Path(__file__).resolve().parents[2]
REPO_ROOT = APP_ROOT.parent
DOCKERFILE = APP_ROOT / "Dockerfile"


def instructions(name: str) -> list[str]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.*)$", text, re.MULTILINE)]


def test_hadolint_is_clean() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_copied_path_exists_in_the_build_context() -> None:
    copies = [c for c in instructions("COPY") if not c.startswith("--from")]
    assert copies
    for copy in copies:
        *sources, _destination = copy.split()
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"COPY {source}: not in the build context"


def test_base_images_are_pinned_to_exact_versions() -> None:
    for image in instructions("FROM"):
        reference = image.split()[0]
        assert re.search(r":\d+\.\d+\.\d+|@sha256:[0-9a-f]{64}", reference), reference


def test_runs_as_non_root() -> None:
    users = instructions("USER")
    assert users
    assert users[-1].split(":")[0] not in {"0", "root"}


def test_entrypoint_and_commands_are_real() -> None:
    [entrypoint] = instructions("ENTRYPOINT")
    [cmd] = instructions("CMD")
    program = json.loads(entrypoint)
    scripts = tomllib.loads((APP_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert program == ["pricing-service"]
    assert program[0] in scripts
    parser = build_parser()
    args = parser.parse_args(json.loads(cmd))
    assert args.command == "serve"
    assert parser.parse_args(["migrate"]).command == "migrate"  # the release step


def test_healthcheck_probes_liveness() -> None:
    [healthcheck] = instructions("HEALTHCHECK")
    assert "/health/live" in healthcheck


def test_the_smoke_installs_what_the_image_installs() -> None:
    """`nox -s staging_smoke` runs the Dockerfile's own last `uv sync` line (staging/shipping.py):
    the service as a wheel (non-editable), from the lock, without development tools."""
    command, settings = dockerfile_install(DOCKERFILE.read_text())
    assert command[:2] == ["uv", "sync"]
    assert {"--locked", "--no-dev", "--no-editable"} <= set(command)
    assert command[command.index("--package") + 1] == "pricing-service"
    assert "--no-install-workspace" not in command  # the layer that installs the service itself
    assert settings["UV_COMPILE_BYTECODE"] == "1"
    assert "UV_PROJECT_ENVIRONMENT" not in settings  # the smoke's own fresh folder instead


def test_the_runtime_stage_holds_only_the_environment() -> None:
    """Nothing from the source tree reaches the image: the wheel carries the migrations."""
    runtime = DOCKERFILE.read_text().split(" AS runtime", 1)[1]
    copies = [c for c in re.findall(r"^COPY\s+(.*)$", runtime, re.MULTILINE)]
    assert copies == ["--from=build --chown=pricing:pricing /app/.venv /app/.venv"]


def test_a_dockerfile_without_an_install_line_is_refused() -> None:
    with pytest.raises(SmokeError, match="no `RUN uv sync"):
        dockerfile_install("FROM python:3.11.14-slim\nRUN pip install pricing-service\n")
