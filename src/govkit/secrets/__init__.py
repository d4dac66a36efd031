"""The secrets gate: detect-secrets with govkit's extra plugins, a baseline that must be audited."""

from govkit.secrets.scanner import (
    DEFAULT_BASELINE,
    BaselineError,
    Finding,
    baseline_problems,
    create_baseline,
    load_baseline,
    scan,
    tracked_files,
    write_baseline,
)

__all__ = [
    "DEFAULT_BASELINE",
    "BaselineError",
    "Finding",
    "baseline_problems",
    "create_baseline",
    "load_baseline",
    "scan",
    "tracked_files",
    "write_baseline",
]
