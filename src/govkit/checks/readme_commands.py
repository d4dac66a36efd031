"""README commands that name something the repository no longer has (CH108).

A newcomer pastes the README's commands first; one that fails on a renamed module or a deleted
script costs them the project. Reported, at the README's line, only what the repository itself
can settle:

- a Python module (`python -m pkg.mod`, `python -c "from pkg.mod import x"`, an app string
  `pkg.mod:app` for uvicorn/gunicorn/hypercorn/daphne/granian, `flask --app`) whose top-level
  package is the repository's own (it is at the root, in `src/` or in a part's folder) and whose
  submodule is in none of them: an installed package's module (`python -m pytest`, `pip`, the
  standard library's) is never judged;
- a script path (`python scripts/x.py`, `./scripts/x.sh`, `bash tools/x.sh`, `fastapi dev
  app/main.py`) whose first folder is in the repository and the file is nowhere (a README may
  `cd` into a part first); a bare name (`python main.py`) may be a file the reader creates;
- a nox session (`nox -s NAME`) the noxfile does not define, a make target no Makefile defines
  (Makefiles with `include` or pattern rules are not judged), an `npm`/`pnpm`/`bun run NAME` no
  package.json's scripts hold.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from govkit.checks import _readme
from govkit.checks.base import EVERY_REPOSITORY, Check, Finding, Skip, register
from govkit.checks.workflows import (
    EXPRESSION_MARK,
    NOXFILE,
    nox_calls,
    nox_sessions,
    session_matches,
)
from govkit.profile import Profile
from govkit.repo import Repo

_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_WRAPPERS = frozenset({"sudo", "exec", "time", "env", "nohup"})
_RUNNERS = frozenset({"uv", "poetry", "pdm", "pipenv", "hatch", "rye"})  # `X run CMD`
_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "granian"})
_APP_STRING = re.compile(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):[A-Za-z_]\w*(?:\(.*\))?")
_PYTHON = re.compile(r"python(?:3(?:\.\d+)?)?|py")
_SCRIPT_SHELLS = frozenset({"bash", "sh", "zsh", "source", "."})
_MAKE_RULE = re.compile(r"^([^\s:#=$][^:=]*?)\s*::?(?!=)", re.M)
_PLACEHOLDER = re.compile(r"[<>{}$*~\[]|path/to|\byour|\.\.\.|^[A-Z_]+$")

FIX = (
    "Change the README to the command that works now (the module's or script's current path, a "
    "session or target that exists), or restore what it names; then paste every README command "
    "into a fresh clone once before a release."
)


@dataclass(frozen=True)
class Stale:
    line: int
    command: str
    what: str  # what is missing, e.g. "module waltzboard.app"


class _Layout:
    """What the commands are resolved against: the repository's files, folders and manifests."""

    def __init__(self, repo: Repo, profile: Profile) -> None:
        self.repo = repo
        self.files = [f for f in repo.files if profile.not_own_code(f) is None]
        parts = [f"{part}/" for part in profile.parts]
        self.roots = ["", "src/", *parts, *(f"{part}src/" for part in parts)]

    @cached_property
    def folders(self) -> frozenset[str]:
        """Every folder that holds a file, as a relative path."""
        found: set[str] = set()
        for rel in self.files:
            parts = rel.split("/")[:-1]
            found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return frozenset(found)

    @cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def _python_at(self, base: str) -> bool:
        """A module or package at BASE (a path without suffix): base.py, base/, base.pyx, ..."""
        return (
            base in self.folders
            or f"{base}.py" in self.file_set
            or any(
                f.startswith(f"{base}.") and f.endswith((".pyx", ".pyi", ".so")) for f in self.files
            )
        )

    def missing_module(self, module: str) -> bool:
        """The module's top-level package is the repository's own and the module is not there."""
        top, *rest = module.split(".")
        if not rest or top in sys.stdlib_module_names or _PLACEHOLDER.search(module):
            return False
        roots = [r for r in self.roots if self._python_at(r + top)]
        return bool(roots) and not any(self._python_at(r + module.replace(".", "/")) for r in roots)

    def missing_path(self, path: str) -> bool:
        """The path's first folder is in the repository, and the file is nowhere."""
        path = path.removeprefix("./")
        if (
            "/" not in path
            or path.endswith("/")
            or path.startswith(("/", "../"))
            or _PLACEHOLDER.search(path)
        ):
            return False
        first = path.split("/", 1)[0]
        anchored = first in self.folders or any(f.endswith(f"/{first}") for f in self.folders)
        exists = (
            path in self.file_set
            or path in self.folders
            or any(f.endswith(f"/{path}") for f in self.files)
        )
        return anchored and not exists

    @cached_property
    def nox_sessions(self) -> dict[str, bool] | None:
        source = self.repo.text(NOXFILE)
        try:
            return nox_sessions(source) if source is not None else None
        except SyntaxError:
            return None

    @cached_property
    def make_targets(self) -> set[str] | None:
        """Every Makefile's targets; None when there is none or one is not readable statically."""
        targets: set[str] = set()
        makefiles = [
            f for f in self.files if f.rsplit("/", 1)[-1] in {"Makefile", "makefile", "GNUmakefile"}
        ]
        for rel in makefiles:
            text = self.repo.text(rel) or ""
            if re.search(r"^-?include\s|^[^\s#]*%[^:]*:", text, re.M):
                return None
            for match in _MAKE_RULE.finditer(text):
                targets.update(match.group(1).split())
        return targets if makefiles else None

    @cached_property
    def npm_scripts(self) -> set[str] | None:
        scripts: set[str] = set()
        manifests = [f for f in self.files if f.rsplit("/", 1)[-1] == "package.json"]
        for rel in manifests:
            try:
                data = json.loads(self.repo.text(rel) or "{}")
            except ValueError:
                return None
            table = data.get("scripts") if isinstance(data, dict) else None
            scripts.update(table if isinstance(table, dict) else ())
        return scripts if manifests else None


def _commands(line: str) -> Iterator[list[str]]:
    """The simple commands of a shell line, as words: prompts, wrappers and env assignments off."""
    line = re.sub(r"^\s*(?:\$|>|PS>)\s+", "", line)
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return
    command: list[str] = []
    for word in [*words, ";"]:
        if word not in _SEPARATORS:
            command.append(word)
            continue
        while command and (re.fullmatch(r"[A-Za-z_]\w*=.*", command[0]) or command[0] in _WRAPPERS):
            command = command[1:]
        if len(command) >= 3 and command[0] in _RUNNERS and command[1] == "run":
            command = command[2:]
        if command:
            yield command
        command = []


def _env(line: str, name: str) -> str | None:
    match = re.search(rf"\b{name}=(\S+)", line)
    return match.group(1).strip("'\"") if match else None


def _imports(code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def _judge(words: list[str], layout: _Layout) -> Iterator[str]:
    """What a simple command names that the repository lacks."""
    program, args = words[0].rsplit("/", 1)[-1], words[1:]
    if _PYTHON.fullmatch(program):
        for index, flag in enumerate(args):
            value = args[index + 1] if index + 1 < len(args) else ""
            if flag == "-m":
                if layout.missing_module(value):
                    yield f"module {value}"
                return
            if flag == "-c":
                yield from (f"module {m}" for m in _imports(value) if layout.missing_module(m))
                return
        script = next((a for a in args if not a.startswith("-")), "")
        if script.endswith(".py") and layout.missing_path(script):
            yield f"file {script}"
    elif program in _SERVERS:
        for arg in args:
            match = _APP_STRING.fullmatch(arg)
            if match and layout.missing_module(match.group(1)):
                yield f"module {match.group(1)}"
    elif program == "flask" and "--app" in args[:-1]:
        module = args[args.index("--app") + 1].split(":", 1)[0]
        if layout.missing_module(module):
            yield f"module {module}"
    elif program == "fastapi" and args[:1] in (["dev"], ["run"]):
        script = next((a for a in args[1:] if not a.startswith("-")), "")
        if script.endswith(".py") and layout.missing_path(script):
            yield f"file {script}"
    elif words[0].startswith("./") or (program in _SCRIPT_SHELLS and args):
        script = words[0] if words[0].startswith("./") else args[0]
        if layout.missing_path(script):
            yield f"file {script.removeprefix('./')}"
    elif program == "nox" and layout.nox_sessions is not None:
        sessions = layout.nox_sessions
        for called in nox_calls(shlex.join(words)):
            if EXPRESSION_MARK in called or _PLACEHOLDER.search(called):
                continue
            if not any(session_matches(called, s) for s in sessions):
                yield f"nox session {called}"
    elif program == "make" and layout.make_targets is not None:
        if any(a.startswith("-") for a in args):
            return  # -C DIR, -f FILE: another Makefile
        yield from (
            f"make target {a}"
            for a in args
            if "=" not in a and not _PLACEHOLDER.search(a) and a not in layout.make_targets
        )
    elif program in {"npm", "pnpm", "bun"} and args[:1] in (["run"], ["run-script"]):
        name = next((a for a in args[1:] if not a.startswith("-")), "")
        scripts = layout.npm_scripts
        # `bun run x.ts` runs a file
        plain = name and "." not in name and "/" not in name and not _PLACEHOLDER.search(name)
        if plain and scripts is not None and name not in scripts:
            yield f"{program} script {name}"


def stale_commands(repo: Repo, profile: Profile, readme: str) -> list[Stale]:
    layout = _Layout(repo, profile)
    found: list[Stale] = []
    for number, line in _readme.code_lines(readme, repo.text(readme) or ""):
        flask_app = _env(line, "FLASK_APP")
        if flask_app and layout.missing_module(flask_app.split(":", 1)[0]):
            found.append(Stale(number, line.strip(), f"module {flask_app.split(':', 1)[0]}"))
        for words in _commands(line):
            found += [Stale(number, shlex.join(words), what) for what in _judge(words, layout)]
    return found


@register
class CH108(Check):
    """Every module, script, nox session, make target and npm script the README runs exists"""

    applies = EVERY_REPOSITORY
    scope = "health"
    kinds = frozenset({"readme-stale-command"})
    family = "docs"
    severity = "P2"
    effort = "S"
    ticket = "T10"
    files_expected = ("README.md",)

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        readmes = [_readme.find_readme(repo, folder) for folder in ("", *profile.parts)]
        if readmes[0] is None:
            raise Skip("no README (CH105 reports it)")
        return [
            Finding(
                f"`{stale.command}` runs {stale.what}, which is not in the repository.\n{FIX}",
                readme,
                stale.line,
            )
            for readme in readmes
            if readme is not None
            for stale in stale_commands(repo, profile, readme)
        ]
