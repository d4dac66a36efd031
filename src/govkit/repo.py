"""A repository under inspection: its files listed once and each file read at most once."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import subprocess
import tomllib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import yaml

T = TypeVar("T")

# Folders that never hold the repository's own sources.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".nox",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "dist",
        "build",
        ".tox",
        "site-packages",
    }
)


class Repo:
    """Lazy, cached access to a repository's files, keyed by POSIX paths relative to the root."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self._text: dict[str, str | None] = {}
        self._ast: dict[str, ast.Module | None] = {}
        self._memo: dict[str, Any] = {}

    @cached_property
    def files(self) -> tuple[str, ...]:
        """Every file of the repository (tracked files when it is a git work tree)."""
        tracked = self._git_files()
        if tracked is not None:
            return tracked
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [
                d for d in dirnames if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
            ]
            rel = Path(dirpath).relative_to(self.root)
            found.extend(
                PurePosixPath(rel.as_posix(), name).as_posix().removeprefix("./")
                for name in filenames
            )
        return tuple(sorted(found))

    def _git_files(self) -> tuple[str, ...] | None:
        if not (self.root / ".git").exists():
            return None
        try:
            out = subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
                cwd=self.root,
                capture_output=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        names = {n for n in out.decode("utf-8", "replace").split("\0") if n}
        return tuple(
            sorted(
                n
                for n in names
                if not SKIPPED_DIRS.intersection(PurePosixPath(n).parts)
                and (self.root / n).is_file()
            )
        )

    def exists(self, rel: str) -> bool:
        return rel in self._file_set or (self.root / rel).is_file()

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def glob(self, pattern: str) -> list[str]:
        """Files whose relative path matches a glob pattern (``**`` crosses folders)."""
        return [f for f in self.files if _match(f, pattern)]

    def text(self, rel: str) -> str | None:
        """The file's text, or None when it is missing or not UTF-8."""
        if rel not in self._text:
            try:
                self._text[rel] = (self.root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._text[rel] = None
        return self._text[rel]

    def yaml(self, rel: str) -> Any:
        """Parsed YAML, or None when missing. Raises yaml.YAMLError on invalid YAML."""
        text = self.text(rel)
        return None if text is None else yaml.safe_load(text)

    def json(self, rel: str) -> Any:
        """Parsed JSON, or None when missing. Raises ValueError on invalid JSON."""
        text = self.text(rel)
        return None if text is None else json.loads(text)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A value derived from the repository, computed once (shared by checks and the audit)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    def python_ast(self, rel: str) -> ast.Module | None:
        """The parsed module, or None when it is missing or not valid Python (cached)."""
        if rel not in self._ast:
            text = self.text(rel)
            try:
                self._ast[rel] = None if text is None else ast.parse(text, filename=rel)
            except (SyntaxError, ValueError):
                self._ast[rel] = None
        return self._ast[rel]

    @cached_property
    def python_files(self) -> tuple[str, ...]:
        return tuple(f for f in self.files if f.endswith(".py"))

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        text = self.text("pyproject.toml")
        return tomllib.loads(text) if text else {}

    @cached_property
    def govkit_config(self) -> dict[str, Any]:
        """The ``[tool.govkit]`` table of pyproject.toml."""
        tool = self.pyproject.get("tool", {})
        config = tool.get("govkit", {}) if isinstance(tool, dict) else {}
        return config if isinstance(config, dict) else {}

    @cached_property
    def workflow_files(self) -> list[str]:
        return [
            f
            for f in self.files
            if f.startswith(".github/workflows/") and f.endswith((".yml", ".yaml"))
        ]


def _match(path: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(
        path, pattern.replace("**/", "")
    )
