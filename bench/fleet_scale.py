"""Benchmark: `govkit fleet audit` over 200 repositories of mixed size vs 200 `govkit audit` runs.

Not a test. It generates the fleet once in a temporary folder (kit_tests/fleet_support.py: the
complete fixture repository minus some governance files, plus 1 to --max-modules application
modules each, so sizes and scores differ), then times, alternating, --repeat times each:

- sequential: one `govkit audit PATH --format json -o FILE` process per repository, one after
  another (what a team's shell loop does today);
- fleet, 1 process: `govkit fleet audit --jobs 1` (the same work without interpreter start-ups);
- fleet, --jobs processes: `govkit fleet audit --jobs N` (default 2, the machine's cores).

Each measurement runs in a fresh child (this script with --measure), so its peak memory is that
child's `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`: the largest resident set of any one
process it waited for, workers included. The sum over a run's live processes is sampled from
/proc as well (every 100 ms), the figure that matters on a shared runner. Usage:

    uv run python bench/fleet_scale.py [--repositories 200] [--repeat 3] [--jobs 2]
    nox -s bench_fleet
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # kit_tests.fleet_support builds the fixture fleet

from kit_tests.fleet_support import make_fleet  # noqa: E402

GOVKIT = shutil.which("govkit") or "govkit"


def tree_rss_kib(pid: int) -> int:
    """Resident memory of PID and its descendants, in KiB, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(p, 0) for p in tree)


def measure(commands: list[list[str]]) -> dict[str, float]:
    """Run COMMANDS one after another; wall time, peak RSS of one process, peak RSS of the tree."""
    peak_tree = 0
    started = time.perf_counter()
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        done = threading.Event()

        def sample(pid: int = process.pid, finished: threading.Event = done) -> None:
            nonlocal peak_tree
            while not finished.wait(0.1):
                peak_tree = max(peak_tree, tree_rss_kib(pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = process.wait()
        done.set()
        sampler.join()
        if code not in (0, 1):  # 1: an audit below a threshold is still a finished audit
            raise SystemExit(f"{command[:3]} exited {code}")
    elapsed = time.perf_counter() - started
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {"seconds": elapsed, "max_rss_mib": largest / 1024, "tree_rss_mib": peak_tree / 1024}


def run_measured(commands: list[list[str]]) -> dict[str, float]:
    """measure() in a fresh child, so RUSAGE_CHILDREN holds this measurement only."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure"],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-modules", type=int, default=160)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(json.loads(sys.stdin.read()))))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        repos = make_fleet(base / "clones", args.repositories, max_modules=args.max_modules)
        files = sum(sum(1 for p in r.rglob("*") if p.is_file()) for r in repos)
        listing = base / "repos.txt"
        listing.write_text("".join(f"{r}\n" for r in repos))
        fleet = [GOVKIT, "fleet", "audit", "--from", str(listing), "--out"]
        variants = {
            f"sequential: {len(repos)} x `govkit audit`": [
                [GOVKIT, "audit", str(r), "--format", "json", "-o", str(base / "seq" / r.name)]
                for r in repos
            ],
            "`govkit fleet audit --jobs 1`": [[*fleet, str(base / "f1"), "--jobs", "1"]],
            f"`govkit fleet audit --jobs {args.jobs}`": [
                [*fleet, str(base / "fn"), "--jobs", str(args.jobs)]
            ],
        }
        results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        for _ in range(args.repeat):  # alternating, so load from other work spreads evenly
            for name, commands in variants.items():
                results[name].append(run_measured(commands))
        index = json.loads((base / "fn" / "index.json").read_text())
        audited = sum(1 for r in index["repositories"] if r["status"] == "audited")
    print(f"{len(repos)} repositories, {files} files, {audited} audited by fleet audit")
    print(f"{'variant':42} {'median s':>9} {'min-max s':>13} {'max RSS MiB':>12} {'tree MiB':>9}")
    medians = {}
    for name, runs in results.items():
        times = [r["seconds"] for r in runs]
        medians[name] = statistics.median(times)
        print(
            f"{name:42} {medians[name]:9.2f} {min(times):6.2f}-{max(times):<6.2f} "
            f"{max(r['max_rss_mib'] for r in runs):12.1f} "
            f"{max(r['tree_rss_mib'] for r in runs):9.1f}"
        )
    sequential, one, many = medians.values()
    print(f"speed-up over sequential runs: {sequential / many:.1f}x")
    print(f"speed-up of {args.jobs} processes over 1: {one / many:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
