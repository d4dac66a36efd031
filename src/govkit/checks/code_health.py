"""Code-health checks (seed T03, T05, T07, T10): what the seed's health check counted.

Wildcard CORS (T02, CH101) lives in :mod:`govkit.checks.cors`.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import PurePosixPath

from govkit.checks.base import Check, Skip, register
from govkit.repo import Repo

# Names of functions that run at startup, shutdown or in the background.
_LIFECYCLE = re.compile(
    r"startup|shutdown|lifespan|on_event|background|worker|loop|task|job|main", re.IGNORECASE
)


def _enclosing_function(tree: ast.Module, line: int) -> str | None:
    """The innermost function whose lines contain ``line``."""
    best: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.lineno <= line <= (node.end_lineno or node.lineno)
            and (best is None or node.lineno >= best.lineno)
        ):
            best = node
    return best.name if best else None


@register
class CH102(Check):
    """No print() in application code; logs go through a logger with level and timestamp"""

    scope = "health"
    kinds = frozenset({"print-in-app"})
    family = "observability"
    severity = "P1"
    effort = "S"
    ticket = "T05"
    files_expected = ("app/main.py",)

    def check(self, repo: Repo) -> str | None:
        calls: list[tuple[str, int, str | None]] = []
        for rel in repo.application_python_files:
            if "print" not in (repo.text(rel) or ""):
                continue
            tree = repo.python_ast(rel)
            if tree is None:
                continue
            print_lines = [
                node.lineno
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "print"
            ]
            calls.extend((rel, line, _enclosing_function(tree, line)) for line in print_lines)
        if not calls:
            return None
        lifecycle = [
            f"{rel}:{line} in {func}()"
            for rel, line, func in calls
            if func and _LIFECYCLE.search(func)
        ]
        files = Counter(rel for rel, _, _ in calls)
        lines = [
            f"{len(calls)} print() call(s) in {len(files)} file(s): "
            + ", ".join(f"{rel} ({n})" for rel, n in files.most_common(5))
        ]
        if lifecycle:
            lines.append("Startup/shutdown/background paths: " + ", ".join(lifecycle[:10]))
        lines.append(
            "Replace each with a logger call:\n"
            "    logger = logging.getLogger(__name__)\n"
            '    logger.info("sync started", extra={"job_id": job.id})\n'
            'and ban print with ruff\'s T20 rule: [tool.ruff.lint] extend-select = ["T20"]'
        )
        return "\n".join(lines)


def _is_broad(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in {"Exception", "BaseException"} for n in names)


def broad_except_counts(repo: Repo) -> Counter[str]:
    """`except Exception` / `except BaseException` / bare `except:` per application file."""
    return repo.memo("broad_except_counts", lambda: _count_broad_excepts(repo))


def _count_broad_excepts(repo: Repo) -> Counter[str]:
    counts: Counter[str] = Counter()
    for rel in repo.application_python_files:
        text = repo.text(rel) or ""
        if "except" not in text:
            continue
        tree = repo.python_ast(rel)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and _is_broad(node):
                counts[rel] += 1
    return counts


@register
class CH103(Check):
    """Broad exception handlers are rare and confined to the boundaries that must not crash"""

    scope = "health"
    kinds = frozenset({"broad-except"})
    family = "code-health"
    severity = "P1"
    effort = "L"
    ticket = "T07"

    def check(self, repo: Repo) -> str | None:
        limit = int(repo.govkit_config.get("max-broad-except", 3))
        counts = broad_except_counts(repo)
        total = sum(counts.values())
        if total <= limit:
            return None
        top = ", ".join(f"{rel} ({n})" for rel, n in counts.most_common(10))
        return (
            f"{total} broad exception handlers (limit {limit}); top offenders: {top}.\n"
            "Catch the specific exceptions each call can raise (e.g. "
            "`except httpx.TimeoutException`,\n`except sqlalchemy.exc.IntegrityError`) "
            "and log actionable context; keep `except Exception` only at the request error "
            "handler and the worker loop.\n"
            "Raise the limit deliberately with [tool.govkit] max-broad-except = N."
        )


_FLOWS = {
    "auth (login and token refresh)": re.compile(r"def test_\w*(login|refresh|token|auth)", re.I),
    "pricing (price update)": re.compile(r"def test_\w*price", re.I),
    "sync (marketplace sync)": re.compile(r"def test_\w*sync", re.I),
}


def _is_test_file(rel: str) -> bool:
    name = PurePosixPath(rel).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


@register
class CH104(Check):
    """Automated tests cover the critical flows: auth, price update and marketplace sync"""

    scope = "health"
    kinds = frozenset({"critical-flows-untested"})
    family = "ci"
    severity = "P0"
    effort = "M"
    ticket = "T03"
    files_expected = (
        "tests/integration/test_auth_flows.py",
        "tests/integration/test_pricing_flow.py",
        "tests/integration/test_sync_ml_flow.py",
    )

    def check(self, repo: Repo) -> str | None:
        tests = [f for f in repo.files if _is_test_file(f)]
        missing = [
            flow
            for flow, pattern in _FLOWS.items()
            if not any(pattern.search(repo.text(f) or "") for f in tests)
        ]
        if not missing:
            return None
        return (
            "No tests found for: " + "; ".join(missing) + ".\n"
            "Add integration tests named for the flow, e.g. tests/integration/test_auth_flows.py "
            "with `def test_login_then_refresh(client): ...`, test_pricing_flow.py with "
            "`def test_price_update_...`, test_sync_ml_flow.py with `def test_sync_...`, "
            "and run them in CI."
        )


_README_NEEDS = {
    "setup": re.compile(
        r"pip install|uv sync|poetry install|npm (ci|install)|pnpm install|"
        r"yarn( install)?\b|make (setup|install)|docker compose",
        re.I,
    ),
    "run": re.compile(
        r"\b(serve|uvicorn|runserver|npm (run )?(dev|start)|docker compose up|"
        r"make run|python -m \w+)\b",
        re.I,
    ),
    "test": re.compile(r"\b(pytest|nox|tox|npm (run )?test|make test|vitest|go test)\b", re.I),
}


def _readme_gaps(text: str) -> list[str]:
    blocks = "\n".join(re.findall(r"```[^\n]*\n(.*?)```", text, re.S))
    return [need for need, pattern in _README_NEEDS.items() if not pattern.search(blocks)]


@register
class CH105(Check):
    """The README gives copy-paste commands to set up, run and test the project"""

    scope = "health"
    kinds = frozenset({"readme-missing", "readme-no-commands"})
    family = "docs"
    severity = "P2"
    effort = "S"
    ticket = "T10"
    files_expected = ("README.md",)

    def check(self, repo: Repo) -> str | None:
        name = next((n for n in ("README.md", "README.rst", "README") if repo.exists(n)), None)
        if name is None:
            return "Create README.md with fenced commands to set up, run and test the project."
        gaps = _readme_gaps(repo.text(name) or "")
        if not gaps:
            return None
        return (
            f"{name} has no fenced command to {', '.join(gaps)} the project. Add e.g.:\n"
            "```bash\npython3 -m pip install nox && nox -s serve   # run\nnox   # test\n```"
        )


_FRAMEWORK_TEMPLATE = re.compile(
    r"This template provides a minimal setup to get React working in Vite|"
    r"Getting Started with Create React App|# React \+ (TypeScript \+ )?Vite|"
    r"bootstrapped with \[Create React App\]|This is a \[Next\.js\] project bootstrapped|"
    r"# Vue 3 \+ (TypeScript \+ )?Vite",
    re.I,
)


@register
class CH106(Check):
    """Frontend READMEs are written for the project, not left as the framework template"""

    scope = "health"
    kinds = frozenset({"placeholder-content", "readme-no-commands"})
    family = "docs"
    severity = "P2"
    effort = "S"
    ticket = "T10"
    files_expected = ("frontend/README.md",)

    def check(self, repo: Repo) -> str | None:
        frontends = [
            str(PurePosixPath(f).parent)
            for f in repo.files
            if PurePosixPath(f).name == "package.json"
        ]
        if not frontends:
            raise Skip("no package.json: no frontend")
        stale = []
        for folder in frontends:
            readme = "README.md" if folder == "." else f"{folder}/README.md"
            text = repo.text(readme)
            if text is None or _FRAMEWORK_TEMPLATE.search(text) or bool(_readme_gaps(text)):
                stale.append(readme)
        if not stale:
            return None
        return (
            "Replace the template content of " + ", ".join(stale) + " with the project's "
            "setup (`npm ci`), run (`npm run dev`), test (`npm test`), architecture, environment "
            "variables and troubleshooting."
        )
