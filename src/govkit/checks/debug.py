"""Debug mode left on in code that is deployed (CH107).

Reported: a Django ``DEBUG = True`` literal (or ``env.bool("DEBUG", default=True)``) in a
settings module production loads; ``app.run(debug=True)`` (Flask and the like);
``uvicorn.run(..., reload=True)`` or ``debug=True``; ``FastAPI(debug=True)``. Not reported:
a value read from the environment with a false default, and modules only development or tests
load: a file or folder named dev/local/test/example (``settings/local.py``, ``dev_server.py``),
tests, docs examples.
"""

from __future__ import annotations

import ast
import re

from govkit.checks.base import Finding, register
from govkit.checks.code_health import CodeCheck
from govkit.profile import Profile
from govkit.repo import Repo

# A file or folder name that says the module is for development, tests or examples only.
_DEV_PART = re.compile(
    r"^(?:local|dev|develop|development|debug|test|tests|testing|example|examples|docs|demo)"
    r"(?:[_\-.]\w+)?(?:\.py)?$|(?:^|_)(?:dev|local|test|debug)(?:\.py)?$",
    re.I,
)
_RUNNERS = frozenset({"run", "run_server", "serve"})
# Applications whose constructor takes debug=: FastAPI(debug=True) serves tracebacks.
_APPS = frozenset({"FastAPI", "Starlette", "Quart"})
_FLAG_KEYWORDS = frozenset({"debug", "reload", "use_reloader"})

FIX_DJANGO = (
    "Read it from the environment, off by default: "
    '`DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"` (or `env.bool("DEBUG", default=False)`), '
    "and turn it on only in the development settings module."
)
FIX_RUN = (
    "Pass it from settings, off by default (`debug=settings.debug` with `debug: bool = False`), "
    "or start development servers from a separate dev entry point (`uvicorn app.main:app "
    "--reload` in the Makefile/README)."
)


def dev_only(rel: str) -> bool:
    return any(_DEV_PART.search(part) for part in rel.split("/"))


def _true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _true_default(node: ast.expr) -> bool:
    """`env.bool("DEBUG", default=True)`, `os.getenv("DEBUG", "True")`, `config(..., True)`."""
    if not isinstance(node, ast.Call):
        return False
    for keyword in node.keywords:
        if keyword.arg == "default":
            return _truthy_constant(keyword.value)
    return len(node.args) >= 2 and _truthy_constant(node.args[1])


def _truthy_constant(node: ast.expr) -> bool:
    if not isinstance(node, ast.Constant):
        return False
    if isinstance(node.value, str):
        return node.value.strip().lower() in {"true", "1", "yes", "on"}
    return node.value is True


def _debug_findings(rel: str, tree: ast.Module) -> list[Finding]:
    found: list[Finding] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DEBUG" for t in node.targets
        ):
            if _true(node.value):
                found.append(
                    Finding(
                        f"DEBUG = True in a settings module production loads. {FIX_DJANGO}",
                        rel,
                        node.lineno,
                    )
                )
            elif _true_default(node.value):
                found.append(
                    Finding(
                        f"DEBUG defaults to on when the environment does not set it. {FIX_DJANGO}",
                        rel,
                        node.lineno,
                    )
                )
    for call_node in ast.walk(tree):
        if not isinstance(call_node, ast.Call):
            continue
        func = call_node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _RUNNERS and name not in _APPS:
            continue
        for keyword in call_node.keywords:
            if keyword.arg in _FLAG_KEYWORDS and _true(keyword.value):
                call = ast.unparse(call_node.func)
                found.append(
                    Finding(
                        f"{call}(..., {keyword.arg}=True) in deployed code. {FIX_RUN}",
                        rel,
                        call_node.lineno,
                    )
                )
    return found


@register
class CH107(CodeCheck):
    """No debug mode or auto-reload switched on in code that is deployed"""

    scope = "health"
    kinds = frozenset({"debug-enabled"})
    family = "security"
    severity = "P0"
    effort = "S"
    ticket = "T02"

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        found: list[Finding] = []
        for rel in profile.application_python_files:
            if dev_only(rel):
                continue
            text = repo.text(rel) or ""
            if "DEBUG" not in text and "debug" not in text and "reload" not in text:
                continue
            tree = repo.python_ast(rel)
            if tree is not None:
                found.extend(_debug_findings(rel, tree))
        return sorted(found, key=lambda f: (f.path or "", f.line or 0))
