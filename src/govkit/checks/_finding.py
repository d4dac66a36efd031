"""Temporary: the Finding of the shared contract, until the framework branch lands in base.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    message: str  # what is wrong and the fix, said exactly
    path: str | None = None  # repo-relative POSIX path
    line: int | None = None  # 1-based
