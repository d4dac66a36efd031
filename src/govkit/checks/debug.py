"""Debug mode left on in code that is deployed (CH107).

Reported: a Django ``DEBUG = True`` literal (or ``env.bool("DEBUG", default=True)``) in a
settings module production loads; ``app.run(debug=True)`` (Flask and the like);
``uvicorn.run(..., reload=True)`` or ``debug=True``; ``FastAPI(debug=True)``. Not reported:
a value read from the environment with a false default, and modules only development or tests
load.

Which Django settings production loads is read, not guessed, when the repository says it: the
``DJANGO_SETTINGS_MODULE`` default of its WSGI/ASGI/worker entry points, a Dockerfile's ``ENV``,
a production compose file or the Procfile (``--settings=``); manage.py's default only when none
of these says and it names no development module (it is often a developer's tool). From each such
module the ``from .base import *`` chain is followed in order, and the ``DEBUG`` its last
assignment leaves is the deployed one: ``DEBUG = True`` in ``base.py`` is reported when
production loads ``base`` as it is, not when the production module sets ``DEBUG`` again after
importing it, nor in a module only manage.py or the tests load. Without such a statement, a
file or folder named dev/local/test/example (``settings/local.py``, ``dev_server.py``), tests and
docs examples are the modules production does not load.
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


def _debug_value(node: ast.stmt) -> str | None:
    """For a module-level `DEBUG = ...`: "on", "default" (on unless the environment says), "off"."""
    if not isinstance(node, ast.Assign) or not any(
        isinstance(t, ast.Name) and t.id == "DEBUG" for t in node.targets
    ):
        return None
    if _true(node.value):
        return "on"
    return "default" if _true_default(node.value) else "off"


def _debug_finding(rel: str, line: int, value: str) -> Finding | None:
    if value == "on":
        return Finding(
            f"DEBUG = True in a settings module production loads. {FIX_DJANGO}", rel, line
        )
    if value == "default":
        return Finding(
            f"DEBUG defaults to on when the environment does not set it. {FIX_DJANGO}", rel, line
        )
    return None


def _debug_assignments(rel: str, tree: ast.Module) -> list[Finding]:
    found = [
        _debug_finding(rel, node.lineno, value)
        for node in tree.body
        if (value := _debug_value(node)) is not None
    ]
    return [f for f in found if f is not None]


def _run_flags(rel: str, tree: ast.Module) -> list[Finding]:
    found: list[Finding] = []
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


# ---------------------------------------------------------------------------------------------
# The Django settings production loads

_SETDEFAULT = re.compile(r"""["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
_DEPLOY_SETTING = re.compile(
    r"""DJANGO_SETTINGS_MODULE["']?\s*[=:\s]\s*["']?([A-Za-z_][\w.]*)|--settings[=\s]([\w.]+)"""
)
_ENTRY_POINTS = ("wsgi.py", "asgi.py", "celery.py", "gunicorn.conf.py")


def _is_deploy_file(rel: str) -> bool:
    """A container or process file production runs: Dockerfiles, a production compose file, the
    Procfile (a file or folder named dev/local/test is not)."""
    name = rel.rsplit("/", 1)[-1].lower()
    return not dev_only(rel) and (
        "dockerfile" in name
        or name == "procfile"
        or (name.endswith((".yml", ".yaml")) and "prod" in name)
    )


def deployed_settings(repo: Repo, profile: Profile) -> list[str]:
    """The settings modules production loads, as dotted names, from what the repository states."""
    entry: list[str] = []
    manage: list[str] = []
    for rel in profile.application_python_files:
        name = rel.rsplit("/", 1)[-1]
        if name not in (*_ENTRY_POINTS, "manage.py") or dev_only(rel):
            continue
        found = _SETDEFAULT.findall(repo.text(rel) or "")
        (manage if name == "manage.py" else entry).extend(found)
    for rel in repo.files:
        if _is_deploy_file(rel) and profile.not_own_code(rel) is None:
            for groups in _DEPLOY_SETTING.findall(repo.text(rel) or ""):
                entry.append(next(g for g in groups if g))
    # manage.py naming a development module (settings.local) says it is a developer's tool
    manage = [m for m in manage if not dev_only(m.replace(".", "/"))]
    return list(dict.fromkeys(entry or manage))


def _module_file(repo: Repo, profile: Profile, dotted: str) -> str | None:
    tail = dotted.replace(".", "/")
    for rel in profile.application_python_files:
        if rel in (f"{tail}.py", f"{tail}/__init__.py") or rel.endswith(
            (f"/{tail}.py", f"/{tail}/__init__.py")
        ):
            return rel
    return None


def _star_import(rel: str, node: ast.ImportFrom) -> str:
    """The dotted module a `from X import *` names, relative imports resolved against REL."""
    if not node.level:
        return node.module or ""
    package = rel.split("/")[:-1]  # a module's package, and an __init__.py's own
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *(node.module.split(".") if node.module else [])])


def _effective_debug(
    repo: Repo, profile: Profile, rel: str, seen: frozenset[str]
) -> tuple[str, int, str] | None:
    """The (file, line, value) of the DEBUG the module leaves after its star-import chain."""
    tree = repo.python_ast(rel)
    if tree is None or rel in seen:
        return None
    current: tuple[str, int, str] | None = None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and [a.name for a in node.names] == ["*"]:
            imported = _module_file(repo, profile, _star_import(rel, node))
            if imported is not None:
                current = _effective_debug(repo, profile, imported, seen | {rel}) or current
        elif (value := _debug_value(node)) is not None:
            current = (rel, node.lineno, value)
    return current


def _deployed_debug(repo: Repo, profile: Profile) -> list[Finding] | None:
    """DEBUG as production's settings modules leave it; None when the repository does not say
    which settings production loads."""
    roots = [
        rel
        for dotted in deployed_settings(repo, profile)
        if (rel := _module_file(repo, profile, dotted)) is not None
    ]
    if not roots:
        return None
    found: list[Finding] = []
    for root in roots:
        effective = _effective_debug(repo, profile, root, frozenset())
        finding = _debug_finding(*effective) if effective else None
        if finding is not None and finding not in found:
            found.append(finding)
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
        deployed = _deployed_debug(repo, profile)
        found: list[Finding] = list(deployed or ())
        for rel in profile.application_python_files:
            if dev_only(rel):
                continue
            text = repo.text(rel) or ""
            if "DEBUG" not in text and "debug" not in text and "reload" not in text:
                continue
            tree = repo.python_ast(rel)
            if tree is None:
                continue
            found += _run_flags(rel, tree)
            if deployed is None:
                found += _debug_assignments(rel, tree)
        return sorted(found, key=lambda f: (f.path or "", f.line or 0))
