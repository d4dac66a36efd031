"""Shared fixtures of govkit's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kit_tests.check_support import GOOD


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the complete fixture repository (kit_tests/fixtures/docs/good) to break."""
    shutil.copytree(GOOD, tmp_path / "repo")
    return tmp_path / "repo"
