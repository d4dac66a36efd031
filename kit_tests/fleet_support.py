"""Fixture repositories for the fleet's tests, browser test and benchmark: a fleet of services.

Each generated repository starts from the complete fixture repository (tests/fixtures/docs/good)
and loses some of its governance files, so scores spread across the fleet; its application code
grows with ``modules`` (routes, some with broad excepts and prints), so sizes differ too.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from kit_tests.check_support import GOOD

# The governance files a generated repository may lack, each dropped at random.
DROPPABLE = (
    "CODEOWNERS",
    ".github/workflows/ci.yml",
    ".github/pull_request_template.md",
    "runbooks",
    "docs/adr",
    "policies/release-checklist.md",
    "ops/prometheus/slo.rules.yml",
)

MODULE = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/items/{{n}}")
def read_{i}(n: int) -> dict[str, int]:
    return {{"n": n * {i}}}
"""

SLOPPY_MODULE = """\
from fastapi import APIRouter

router = APIRouter()


@router.post("/items")
def create_{i}():
    try:
        return save()
    except Exception:
        print("failed")
"""


def make_repository(root: Path, *, drop: tuple[str, ...] = (), modules: int = 2) -> Path:
    """A copy of the complete fixture without DROP, plus MODULES application modules."""
    shutil.copytree(GOOD, root)
    for rel in drop:
        target = root / rel
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    package = root / "app" / "api"
    package.mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    for i in range(modules):
        body = SLOPPY_MODULE if i % 7 == 3 else MODULE
        (package / f"module_{i}.py").write_text(body.format(i=i))
    return root


def make_fleet(folder: Path, count: int, *, seed: int = 25, max_modules: int = 8) -> list[Path]:
    """COUNT repositories of mixed quality and size under FOLDER (the same for the same seed)."""
    rng = random.Random(seed)
    repos = []
    for number in range(count):
        drop = tuple(rel for rel in DROPPABLE if rng.random() < 0.35)
        modules = rng.choice((1, 2, 4, max_modules // 2, max_modules))
        repos.append(make_repository(folder / f"service-{number:03d}", drop=drop, modules=modules))
    return repos
