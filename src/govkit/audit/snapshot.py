"""The "Current Snapshot (verified)" of the seed, computed instead of typed in."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from govkit.checks import _readme
from govkit.checks.code_health import broad_except_counts
from govkit.profile import profile_of
from govkit.repo import Repo

_ROUTE_DECORATOR = re.compile(
    r"^\s*@\w+(\.\w+)*\.(get|post|put|patch|delete|head|options|api_route|route|websocket)\(",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Snapshot:
    files: int
    python_files: int
    route_decorators: int
    broad_except: int
    jsx_files: int
    workflows: int
    readme: str  # "complete", "missing setup, run" or "absent"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        return [
            f"Route decorators: {self.route_decorators}",
            f"Python files: {self.python_files} (of {self.files} files)",
            f"Broad `except Exception` handlers in application code: {self.broad_except}",
            f"JSX/TSX files: {self.jsx_files}",
            f"CI workflows: {self.workflows or 'none (.github/workflows/* not found)'}",
            f"README: {self.readme}",
        ]


def take_snapshot(repo: Repo) -> Snapshot:
    routes = sum(
        len(_ROUTE_DECORATOR.findall(repo.text(f) or ""))
        for f in profile_of(repo).application_python_files
    )
    readme = _readme.find_readme(repo)
    if readme is None:
        readme_quality = "absent"
    else:
        gaps = _readme.gaps(readme, repo.text(readme) or "")
        quality = "complete" if not gaps else "missing " + ", ".join(gaps) + " commands"
        readme_quality = f"{readme}, {quality}"
    return Snapshot(
        files=len(repo.files),
        python_files=len(repo.python_files),
        route_decorators=routes,
        broad_except=sum(broad_except_counts(repo).values()),
        jsx_files=sum(1 for f in repo.files if f.endswith((".jsx", ".tsx"))),
        workflows=len(repo.workflow_files),
        readme=readme_quality,
    )
