"""The metrics directory several uvicorn workers share (prometheus-client multiprocess mode).

Kept apart from ``metrics.py`` on purpose: it must run before prometheus-client creates any
value, and importing the metrics module would create some.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def multiprocess_metrics(configured: Path | None, workers: int) -> Iterator[Path | None]:
    """Prepare an empty metrics directory for ``workers`` processes and remove it afterwards.

    One worker without a configured directory keeps metrics in memory (yields None). Otherwise
    the configured directory (PROMETHEUS_MULTIPROC_DIR), or a temporary one, is emptied (files
    from an earlier run would add to this run's counters) and exported to the worker processes.
    """
    if configured is None and workers <= 1:
        yield None
        return
    directory = configured or Path(tempfile.mkdtemp(prefix="pricing-service-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    mine = f"_{os.getpid()}.db"
    for stale in directory.glob("*.db"):
        if not stale.name.endswith(mine):  # never pull files from under this process
            stale.unlink()
    # Workers are spawned processes: prometheus-client reads this variable when they import it.
    os.environ[MULTIPROC_ENV] = str(directory)
    try:
        yield directory
    finally:
        if configured is None:
            shutil.rmtree(directory, ignore_errors=True)
