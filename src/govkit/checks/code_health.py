"""Code-health checks (seed T03, T05, T07, T10): what the seed's health check counted.

Wildcard CORS (T02, CH101) lives in :mod:`govkit.checks.cors`.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from govkit.checks import _readme
from govkit.checks.base import (
    EVERY_REPOSITORY,
    Applies,
    Check,
    Finding,
    register,
)
from govkit.errors import UsageError
from govkit.profile import Profile, profile_of
from govkit.repo import Repo

# Names of functions that run at startup, shutdown or in the background.
_LIFECYCLE = re.compile(
    r"startup|shutdown|lifespan|on_event|background|worker|loop|task|job|main", re.IGNORECASE
)


class CodeCheck(Check):
    """The repository's own Python code (vendored, generated and docs examples excluded)."""

    applies = Applies(needs=("python",))


PRINT_FIX = (
    "Log with a logger instead (`logger = logging.getLogger(__name__)`, "
    '`logger.info("...", extra={...})`) and ban print with ruff\'s T20 rule: '
    '[tool.ruff.lint] extend-select = ["T20"]'
)
# Modules whose print() is the program's output, not logging: command-line entry points.
_CLI_MODULES = frozenset({"__main__.py", "cli.py", "console.py"})
_CLI_IMPORTS = re.compile(r"^\s*(?:import|from)\s+(?:argparse|click|typer)\b", re.M)
# A module run as a script: its prints are its output.
_SCRIPT_GUARD = re.compile(r"""^if\s+__name__\s*==\s*["']__main__["']\s*:""", re.M)


def _is_cli_module(rel: str, text: str) -> bool:
    *folders, name = rel.split("/")
    return (
        name in _CLI_MODULES
        or bool({"cli", "commands"}.intersection(folders))
        or bool(_CLI_IMPORTS.search(text))
        or bool(_SCRIPT_GUARD.search(text))
    )


@register
class CH102(CodeCheck):
    """No print() in application code; logs go through a logger with level and timestamp"""

    # A server's or worker's stdout is its log stream, where print() is logging without level or
    # timestamp; a library's or command-line tool's stdout is its output (a build backend's report).
    applies = Applies(needs=("python", "served"))
    scope = "health"
    kinds = frozenset({"print-in-app"})
    family = "observability"
    severity = "P1"
    effort = "S"
    ticket = "T05"

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        found: list[Finding] = []
        for rel in profile.application_python_files:
            text = repo.text(rel) or ""
            if "print(" not in text or _is_cli_module(rel, text):
                continue
            facts = code_facts(repo).get(rel)
            for line, func in facts.prints if facts else ():
                where = f" in {func}()" if func else " at import time"
                if func and _LIFECYCLE.search(func):
                    where += " (a startup/background path)"
                found.append(Finding(f"print(){where}. {PRINT_FIX}", rel, line))
        return sorted(found, key=lambda f: (f.path or "", f.line or 0))


def _is_broad(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in {"Exception", "BaseException"} for n in names)


_LOG_METHODS = frozenset({"exception", "error", "warning", "warn", "critical", "log"})
# Levels that are off in production: a message there records the error only when it carries it
# (the bound exception, which any use of it covers, or `exc_info=`).
_QUIET_LOG_METHODS = frozenset({"debug", "info"})


def _swallows(handler: ast.ExceptHandler) -> bool:
    """A handler swallows the error when it neither re-raises, logs it, exits nor passes it on.

    Passing it on is any use of the bound name (`except Exception as exc`): stored, returned
    as a value or a result object, raised later, or handed to a call.
    """
    for node in ast.walk(handler):
        if isinstance(node, ast.Raise):
            return False
        if (
            handler.name
            and isinstance(node, ast.Name)
            and node.id == handler.name
            and isinstance(node.ctx, ast.Load)
        ):
            return False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value).lower()
            logs = "log" in owner or "warnings" in owner
            if logs and node.func.attr in _LOG_METHODS:
                return False
            if (
                logs
                and node.func.attr in _QUIET_LOG_METHODS
                and any(k.arg == "exc_info" for k in node.keywords)
            ):
                return False
            if node.func.attr in {"exit", "_exit", "abort"}:
                return False
    return True


_NOQA_BLE = re.compile(r"#\s*noqa\b(?!:)|#\s*noqa:[^#]*\bBLE0*01\b", re.IGNORECASE)


def _ruff_config(repo: Repo) -> dict[str, object]:
    """The repository's ruff settings: ruff.toml / .ruff.toml, else pyproject's [tool.ruff]."""
    for name in ("ruff.toml", ".ruff.toml"):
        text = repo.text(name)
        if text is not None:
            try:
                return tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                return {}
    tool = repo.pyproject.get("tool", {})
    ruff = tool.get("ruff", {}) if isinstance(tool, dict) else {}
    return ruff if isinstance(ruff, dict) else {}


def _ignores_ble001(codes: object) -> bool:
    return isinstance(codes, list) and any(
        isinstance(c, str) and c.upper() in {"BLE", "BLE0", "BLE00", "BLE001"} for c in codes
    )


def _ble001_ignored(repo: Repo) -> Callable[[str], bool]:
    """Whether the repository's ruff config ignores BLE001 (broad except) for a file.

    An ignore the repository wrote down is its own decision about a broad handler there.
    """
    config = _ruff_config(repo)
    lint = config.get("lint", {})
    tables = [t for t in (config, lint) if isinstance(t, dict)]
    if any(_ignores_ble001(t.get(key)) for t in tables for key in ("ignore", "extend-ignore")):
        return lambda _rel: True
    globs = [
        glob
        for table in tables
        for key in ("per-file-ignores", "extend-per-file-ignores")
        if isinstance(per_file := table.get(key), dict)
        for glob, codes in per_file.items()
        if _ignores_ble001(codes)
    ]

    def ignored(rel: str) -> bool:
        name = PurePosixPath(rel).name
        return any(
            fnmatch.fnmatchcase(rel, g)
            or fnmatch.fnmatchcase(name, g)
            or fnmatch.fnmatchcase(rel, g.replace("**/", ""))
            or rel.startswith(g.rstrip("/") + "/")
            for g in globs
        )

    return ignored


@dataclass(frozen=True)
class CodeFacts:
    """What CH102, CH103 and the snapshot need of one file, from one walk of its tree."""

    prints: tuple[tuple[int, str | None], ...]  # (line, enclosing function)
    broad_handlers: tuple[tuple[int, bool], ...]  # (line, swallows the error)


def code_facts(repo: Repo) -> dict[str, CodeFacts]:
    """CodeFacts of every Python file of the repository's own code (computed once)."""
    return repo.memo("code_facts", lambda: _code_facts(repo))


def _code_facts(repo: Repo) -> dict[str, CodeFacts]:
    facts: dict[str, CodeFacts] = {}
    for rel in profile_of(repo).application_python_files:
        text = repo.text(rel) or ""
        if "print(" not in text and "except" not in text:
            continue
        tree = repo.python_ast(rel)
        if tree is None:
            continue
        functions: list[tuple[int, int, str]] = []
        prints: list[int] = []
        handlers: list[tuple[int, bool]] = []
        lines = text.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.append((node.lineno, node.end_lineno or node.lineno, node.name))
            elif isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name) and node.func.id == "print":
                    prints.append(node.lineno)
            elif isinstance(node, ast.ExceptHandler) and _is_broad(node):
                noqa = node.lineno <= len(lines) and _NOQA_BLE.search(lines[node.lineno - 1])
                handlers.append((node.lineno, _swallows(node) and not noqa))
        facts[rel] = CodeFacts(
            tuple((line, _innermost(functions, line)) for line in sorted(prints)),
            tuple(sorted(handlers)),
        )
    return facts


def _innermost(functions: list[tuple[int, int, str]], line: int) -> str | None:
    inside = [(start, name) for start, end, name in functions if start <= line <= end]
    return max(inside)[1] if inside else None


def broad_except_counts(repo: Repo) -> Counter[str]:
    """`except Exception` / `except BaseException` / bare `except:` per application file."""
    return Counter({rel: len(f.broad_handlers) for rel, f in code_facts(repo).items()})


@register
class CH103(CodeCheck):
    """No broad exception handler swallows errors (it re-raises, logs with context, or exits)"""

    scope = "health"
    kinds = frozenset({"broad-except"})
    family = "code-health"
    severity = "P1"
    effort = "L"
    ticket = "T07"

    def check(self, repo: Repo) -> list[Finding]:
        limit = repo.govkit_config.get("max-broad-except", 0)
        if not isinstance(limit, int) or limit < 0:
            raise UsageError("[tool.govkit] max-broad-except must be a whole number (default 0)")
        ignored = _ble001_ignored(repo)
        swallowing = [
            (rel, line)
            for rel, facts in sorted(code_facts(repo).items())
            for line, swallows in facts.broad_handlers
            if swallows and not ignored(rel)
        ]
        if len(swallowing) <= limit:
            return []
        return [
            Finding(
                "A broad `except` swallows the error (no raise, no log). Catch the specific "
                "exceptions the call can raise (e.g. `except httpx.TimeoutException`), or log "
                "with context (`logger.exception(...)`) at a boundary that must not crash.",
                rel,
                line,
            )
            for rel, line in swallowing
        ]


def _is_test_file(rel: str) -> bool:
    pure = PurePosixPath(rel)
    return pure.suffix == ".py" and (
        pure.name.startswith("test_") or pure.name.endswith("_test.py") or "tests" in pure.parts
    )


_TEST_NAME = re.compile(r"^\s*(?:async\s+)?def\s+(test_\w+)", re.M)


def _covers(flow: str, test_name: str) -> bool:
    """A test covers a flow when its name holds every word of the flow ("price update")."""
    name = test_name.lower()
    return all(word in name for word in re.findall(r"[a-z0-9]+", flow.lower()))


def _declared_at(repo: Repo, key: str) -> int | None:
    """The line of pyproject.toml where `key` is set (for findings that point at the setting)."""
    for number, line in enumerate((repo.text("pyproject.toml") or "").splitlines(), 1):
        if line.strip().startswith(key):
            return number
    return None


@register
class CH104(CodeCheck):
    """Automated tests cover the repository's critical flows ([tool.govkit] critical-flows)"""

    applies = Applies(needs=("critical-flows",))
    family = "ci"
    severity = "P0"
    effort = "M"
    ticket = "T03"
    scope = "health"
    kinds = frozenset({"critical-flows-untested"})
    files_expected = ("pyproject.toml",)

    def check(self, repo: Repo, profile: Profile) -> Finding | None:
        names = [
            name
            for rel in repo.files
            if _is_test_file(rel) and profile.not_own_code(rel) is None
            for name in _TEST_NAME.findall(repo.text(rel) or "")
        ]
        missing = [
            flow for flow in profile.critical_flows if not any(_covers(flow, n) for n in names)
        ]
        if not missing:
            return None
        example = "_".join(re.findall(r"[a-z0-9]+", missing[0].lower()))
        return Finding(
            "No test covers the critical flow(s) "
            + ", ".join(f"'{flow}'" for flow in missing)
            + " declared in [tool.govkit] critical-flows. Add a test named for each flow "
            "(its name holds the flow's words), run it in CI, e.g.:\n"
            f"    def test_{example}_succeeds(client): ...",
            "pyproject.toml",
            _declared_at(repo, "critical-flows"),
        )


_DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".txt", ""})
README_EXAMPLE = (
    "```bash\npython -m pip install -e .   # install (or: uv sync, poetry install, npm ci)\n"
    "python -m yourpackage           # run\npytest                          # test\n```"
)


def _shows_a_command(repo: Repo, path: str, text: str) -> bool:
    return len(_readme.gaps(path, text)) < len(_readme.NEEDS)


@register
class CH105(CodeCheck):
    """The README (any format) shows how to install, run or test the project"""

    applies = EVERY_REPOSITORY
    scope = "health"
    kinds = frozenset({"readme-missing", "readme-no-commands"})
    family = "docs"
    severity = "P2"
    effort = "S"
    ticket = "T10"
    files_expected = ("README.md",)

    def check(self, repo: Repo) -> Finding | None:
        readme = _readme.find_readme(repo)
        if readme is None:
            return Finding(
                "No README (Markdown, reStructuredText, AsciiDoc or plain text) at the root.\n"
                "Create README.md: what the project is, then the commands to install, run and "
                "test it:\n" + README_EXAMPLE
            )
        text = repo.text(readme) or ""
        if _shows_a_command(repo, readme, text):
            return None
        for linked in _readme.linked_documents(repo, readme, text):
            if PurePosixPath(linked).suffix.lower() in _DOCUMENT_SUFFIXES and _shows_a_command(
                repo, linked, repo.text(linked) or ""
            ):
                return None
        return Finding(
            f"{readme} shows no command to install, run or test the project, and no document it "
            "links shows one.\nAdd a code block a newcomer can paste, e.g.:\n" + README_EXAMPLE,
            readme,
            1,
        )


_FRAMEWORK_TEMPLATE = re.compile(
    r"This template provides a minimal setup to get React working in Vite|"
    r"Getting Started with Create React App|# React \+ (TypeScript \+ )?Vite|"
    r"bootstrapped with \[Create React App\]|This is a \[Next\.js\] project bootstrapped|"
    r"# Vue 3 \+ (TypeScript \+ )?Vite",
    re.I,
)
_FRONTEND_PACKAGES = frozenset({"react", "vue", "svelte", "@angular/core", "solid-js", "next"})


def _frontend_folders(repo: Repo) -> list[str]:
    """Folders (not the root) whose package.json depends on a frontend framework."""
    folders: list[str] = []
    for rel in repo.files:
        if not rel.endswith("/package.json"):
            continue
        pure = PurePosixPath(rel)
        try:
            data = json.loads(repo.text(rel) or "{}")
        except ValueError:
            continue
        deps: set[str] = set()
        for key in ("dependencies", "devDependencies"):
            table = data.get(key) if isinstance(data, dict) else None
            deps |= set(table) if isinstance(table, dict) else set()
        if deps & _FRONTEND_PACKAGES:
            folders.append(str(pure.parent))
    return folders


@register
class CH106(CodeCheck):
    """Frontend READMEs are written for the project, not left as the framework template"""

    applies = Applies(needs=("frontend",))
    scope = "health"
    kinds = frozenset({"placeholder-content", "readme-no-commands"})
    family = "docs"
    severity = "P2"
    effort = "S"
    ticket = "T10"

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        found: list[Finding] = []
        for folder in _frontend_folders(repo):
            readme = _readme.find_readme(repo, folder)
            if readme is None or profile.not_own_code(readme) is not None:
                continue  # the root README speaks for it (CH105)
            text = repo.text(readme) or ""
            template = _FRAMEWORK_TEMPLATE.search(text)
            if template is None and _shows_a_command(repo, readme, text):
                continue
            line = text.count("\n", 0, template.start()) + 1 if template else 1
            what = (
                "is still the framework's template README"
                if template
                else "shows no command to install, run or test the frontend"
            )
            found.append(
                Finding(
                    f"{readme} {what}.\nReplace it with the project's setup (`npm ci`), run "
                    "(`npm run dev`), test (`npm test`), architecture, environment variables and "
                    "troubleshooting.",
                    readme,
                    line,
                )
            )
        return found
