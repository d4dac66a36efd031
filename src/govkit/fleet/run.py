"""Audit many repositories in parallel: one process per core, each replaced after a few audits.

Each worker audits one repository, writes its audit JSON into the fleet folder itself (so a large
report never travels back through a pipe) and returns the repository's small index entry. A
repository that cannot be audited becomes an entry with its reason; the others still run.

Workers are replaced by running the fleet in batches, a fresh pool per batch, rather than with
``ProcessPoolExecutor(max_tasks_per_child=...)``: that deadlocks once a worker retires with work
still queued (CPython gh-115634, in every 3.11 and 3.12 release), which this module hit at its
21st repository on one process.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkit import checks
from govkit.audit import run_audit
from govkit.audit.formats import as_json, render_json
from govkit.errors import UsageError
from govkit.fleet.index import RESERVED, build_index, now, summarise, unauditable, write_atomically
from govkit.repo import Repo

# A worker process audits about this many repositories, then exits: memory a large repository
# left behind (parsed trees, file texts, allocator fragmentation) goes back to the system.
AUDITS_PER_PROCESS = 20


@dataclass(frozen=True)
class Job:
    name: str
    path: str
    out: str


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity), not every core of the machine."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).lstrip("._-").rstrip("-") or "repo"


def repository_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A file name per repository: its folder's name, with parent folders added while two clash.

    ``a/service`` and ``b/service`` become ``a-service`` and ``b-service``; names the folder keeps
    for itself (``index``) and clashes no parent resolves get ``-2``, ``-3``...
    """
    depth = dict.fromkeys(paths, 1)

    def name(path: Path) -> str:
        return _clean("-".join(path.parts[-depth[path] :]))

    while True:
        groups: dict[str, list[Path]] = defaultdict(list)
        for path in paths:
            groups[name(path)].append(path)
        grew = False
        for key, members in groups.items():
            if len(members) > 1 or key in RESERVED:
                for path in members:
                    if depth[path] < len(path.parts):
                        depth[path] += 1
                        grew = True
        if not grew:
            break
    names: dict[Path, str] = {}
    used: set[str] = set()
    for path in paths:
        base = candidate = name(path)
        number = 1
        while candidate in used or candidate in RESERVED:
            number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        names[path] = candidate
    return names


def audit_one(job: Job) -> dict[str, Any]:
    """Audit one repository into ``<out>/<name>.json``; its index entry (audited or not)."""
    root = Path(job.path)
    if not root.exists():
        return unauditable(job.name, job.path, "does not exist", now())
    if not root.is_dir():
        return unauditable(job.name, job.path, "not a directory", now())
    if not os.access(root, os.R_OK | os.X_OK):
        return unauditable(job.name, job.path, "unreadable: permission denied", now())
    try:
        audit = run_audit(Repo(root))
    except UsageError as error:  # the repository's own [tool.govkit] configuration is wrong
        return unauditable(job.name, job.path, str(error), now())
    except OSError as error:
        return unauditable(job.name, job.path, f"unreadable: {error}", now())
    write_atomically(Path(job.out) / f"{job.name}.json", render_json(audit))
    return summarise(job.name, job.path, as_json(audit), now())


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where it exists: workers fork from a server that already imported the checks."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        modules = [module.__name__ for module in checks.check_modules()]
        context.set_forkserver_preload(["govkit.fleet.run", *modules])
        return context
    return multiprocessing.get_context("spawn")


def _entry(job: Job, future: Future[dict[str, Any]]) -> dict[str, Any]:
    error = future.exception()  # a crash in one audit (or a dead worker) costs that one only
    if error is not None:
        return unauditable(job.name, job.path, f"the audit failed: {error!r}", now())
    return future.result()


def audit_fleet(paths: Sequence[Path], out: Path, *, jobs: int | None = None) -> dict[str, Any]:
    """Audit PATHS into OUT with JOBS processes; the index (not yet written)."""
    unique = list(dict.fromkeys(Path(os.path.abspath(p)) for p in paths))
    if not unique:
        raise UsageError("no repositories to audit: give paths or --from FILE")
    started = now()
    out.mkdir(parents=True, exist_ok=True)
    names = repository_names(unique)
    work = [Job(names[p], str(p), str(out)) for p in unique]
    workers = min(jobs or default_jobs(), len(work))
    context = _context()
    batch = workers * AUDITS_PER_PROCESS
    entries: list[dict[str, Any]] = []
    for start in range(0, len(work), batch):
        chunk = work[start : start + batch]
        with ProcessPoolExecutor(max_workers=min(workers, len(chunk)), mp_context=context) as pool:
            futures = [(job, pool.submit(audit_one, job)) for job in chunk]
            entries += [_entry(job, future) for job, future in futures]
    return build_index(entries, started)
