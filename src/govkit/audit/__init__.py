"""``govkit audit``: run every check, score the repository, describe it, and plan its backlog."""

from __future__ import annotations

from govkit.audit.report import Audit, CheckResult, run_audit

__all__ = ["Audit", "CheckResult", "run_audit"]
