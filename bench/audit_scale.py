"""Benchmark: `govkit audit` on a synthetic repository of 20,000 files (issue: under 10 s, 2 cores).

Not a test. It builds the repository once in a temporary folder (Python modules with routes,
broad excepts and prints, Markdown, JSX, JSON, a workflow, plus a .venv and node_modules that must
be skipped), then times, in the same run and alternating:

- baseline: reading every file of the repository once (the floor for any tool that reads files);
- audit: `govkit audit` end to end in-process (listing, every check, the snapshot, the score).

It prints the median of each over --repeat runs and their ratio, and checks that no file was read
twice during an audit. Usage:

    uv run python bench/audit_scale.py [--files 20000] [--repeat 5]
    nox -s bench_audit
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from govkit.audit import run_audit
from govkit.repo import Repo

PY = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/items/{{n}}")
async def read_{i}(n: int) -> dict[str, int]:
    try:
        return {{"n": n * {i}}}
    except Exception:
        print("failed")
        raise
"""


def build(root: Path, files: int) -> None:
    kinds = [
        ("app/api/mod_{i}.py", PY),
        ("docs/page_{i}.md", "# Page {i}\n\nText.\n"),
        ("web/src/View{i}.jsx", "export const V{i} = () => null;\n"),
        ("data/item_{i}.json", '{{"id": {i}}}\n'),
    ]
    for i in range(files):
        rel, body = kinds[i % len(kinds)]
        path = root / rel.format(i=i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.format(i=i))
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/ci.yml").write_text(
        "on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: nox -s tests\n"
    )
    (root / "README.md").write_text("# Synthetic\n\n```bash\npip install -e .\npytest\n```\n")
    for skipped in (".venv/lib/site.py", "web/node_modules/react/index.js", ".git/HEAD"):
        (root / skipped).parent.mkdir(parents=True, exist_ok=True)
        (root / skipped).write_text("x = 1\n")


def read_all(root: Path) -> float:
    started = time.perf_counter()
    for rel in Repo(root).files:
        (root / rel).read_bytes()
    return time.perf_counter() - started


def audit(root: Path) -> tuple[float, int]:
    reads: Counter[str] = Counter()
    repo = Repo(root)
    original = Repo.text

    def counting(self: Repo, rel: str) -> str | None:
        if rel not in self._text:
            reads[rel] += 1
        return original(self, rel)

    Repo.text = counting  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        result = run_audit(repo)
        elapsed = time.perf_counter() - started
    finally:
        Repo.text = original  # type: ignore[method-assign]
    assert max(reads.values(), default=0) <= 1, "a file was read twice"
    return elapsed, result.score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        build(root, args.files)
        listed = len(Repo(root).files)
        baseline, audits, score = [], [], 0
        for _ in range(args.repeat):
            baseline.append(read_all(root))
            elapsed, score = audit(root)
            audits.append(elapsed)
    base, full = statistics.median(baseline), statistics.median(audits)
    print(f"files listed (skipping .git, .venv, node_modules): {listed}")
    print(f"read every file once (baseline): median {base:.2f} s over {args.repeat} runs")
    print(
        f"govkit audit:                    median {full:.2f} s over {args.repeat} runs "
        f"(min {min(audits):.2f}, max {max(audits):.2f}), score {score}"
    )
    print(
        f"audit / baseline: {full / base:.1f}x; target under 10 s: "
        f"{'met' if full < 10 else 'NOT met'}"
    )
    return 0 if full < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
