"""DEP101: dependencies with no Dependabot or Renovate configuration are reported once, with a
dependabot.yml for the ecosystems found; any of the bots' config files passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govkit.audit import run_audit
from govkit.repo import Repo


def _dep101(root: Path, files: dict[str, str]) -> tuple[str, str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    [result] = run_audit(Repo(root), select=["DEP101"]).results
    assert all(f.path is None for f in result.findings)  # a repository-wide finding
    return result.status.value, result.message


MANIFESTS = {
    "pyproject.toml": '[project]\nname = "app"\ndependencies = ["httpx"]\n',
    "uv.lock": "version = 1\n",
    "web/package.json": '{"dependencies": {"react": "^18.3.1"}}\n',
    "tools/requirements-dev.txt": "pytest==8.3.3\n",
    "gate-requirements.txt": "govkit==1.0.0\n",  # what a governance repository pins
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
}


def test_no_update_bot_is_reported_with_a_config_for_each_ecosystem(tmp_path: Path) -> None:
    status, message = _dep101(tmp_path, MANIFESTS)
    assert status == "fail"
    assert "gate-requirements.txt, pyproject.toml, tools/requirements-dev.txt, uv.lock, " in message
    assert "web/package.json are updated only by hand" in message
    config = yaml.safe_load(message.split("(or configure Renovate):\n", 1)[1])
    assert [(u["package-ecosystem"], u["directory"]) for u in config["updates"]] == [
        ("npm", "/web"),
        ("pip", "/tools"),
        ("uv", "/"),  # uv's ecosystem updates pyproject.toml with uv.lock
        ("github-actions", "/"),
    ]


@pytest.mark.parametrize(
    ("config", "text"),
    [
        (".github/dependabot.yml", "version: 2\n"),
        (".github/dependabot.yaml", "version: 2\n"),
        ("renovate.json", "{}\n"),
        ("renovate.json5", "{}\n"),
        (".renovaterc", "{}\n"),
        (".renovaterc.json", "{}\n"),
        (".github/renovate.json5", "{}\n"),
        (".gitlab/renovate.json", "{}\n"),
        ("package.json", '{"renovate": {"extends": ["config:recommended"]}}\n'),
    ],
)
def test_either_bot_s_configuration_passes(tmp_path: Path, config: str, text: str) -> None:
    assert _dep101(tmp_path, {**MANIFESTS, config: text}) == ("pass", "")


def test_tool_config_and_fixture_manifests_are_no_dependencies(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
        "setup.cfg": "[flake8]\nmax-line-length = 119\n",
        "tests/fixtures/demo/requirements.txt": "requests\n",
        "docs/examples/package.json": '{"dependencies": {"vue": "^3"}}\n',
        "src/app.py": "x = 1\n",
    }
    assert _dep101(tmp_path, files) == (
        "skip",
        "does not apply: no dependency manifest of its own",
    )
