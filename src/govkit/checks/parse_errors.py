"""Every file the audit reads parses, or is reported by name and line (never skipped silently).

The audit reads application Python (the code-health and CORS checks parse it with ``ast``),
the noxfile, workflow and other ``.github`` YAML, ``.pre-commit-config.yaml``, pyproject and
other TOML at the root, and JSON configuration (``.secrets.baseline``, rulesets, ``package.json``).
A file that does not parse was not examined by the checks that read it; the finding says which,
and, for Python, whether the file needs a newer interpreter than the one running govkit. Paths of
template sources (a ``{{ ... }}`` in the path) are not files of this repository until rendered.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib

import yaml

from govkit.checks.base import EVERY_REPOSITORY, Check, Finding, register
from govkit.profile import Profile, profile_of
from govkit.repo import Repo

PYTHON_READERS = "CH101 (CORS), CH102 (print), CH103 (broad except), SEC103 (secret defaults)"
_TOML_LINE = re.compile(r"line (\d+)")
# JSON with comments by convention: not JSON to a strict parser, and not read by the audit.
_JSONC = re.compile(r"^(?:tsconfig.*|jsconfig.*|\.eslintrc|devcontainer|settings|launch)\.json$")
# Read wherever they are (a monorepo's parts); everything else only at the root or in .github/.
_ANYWHERE = frozenset({"pyproject.toml", "package.json"})
_RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"


def _is_template_source(rel: str) -> bool:
    return "{{" in rel or "{%" in rel


def read_files(repo: Repo) -> dict[str, list[str]]:
    """The files the audit parses, by format."""
    files: dict[str, list[str]] = {"python": [], "yaml": [], "toml": [], "json": []}
    python = set(profile_of(repo).application_python_files)
    if repo.exists("noxfile.py"):
        python.add("noxfile.py")
    files["python"] = sorted(f for f in python if not _is_template_source(f))
    for rel in repo.files:
        # string tests first: this runs over every file name of the repository
        if not rel.endswith((".yml", ".yaml", ".toml", ".json", ".secrets.baseline")):
            continue
        name = rel.rsplit("/", 1)[-1]
        top, in_github = "/" not in rel, rel.startswith(".github/")
        if _is_template_source(rel) or not (top or in_github or name in _ANYWHERE):
            continue
        if name.endswith((".yml", ".yaml")):
            files["yaml"].append(rel)
        elif name.endswith(".toml"):
            files["toml"].append(rel)
        elif name in _ANYWHERE or not _JSONC.match(name):
            files["json"].append(rel)
    return files


def python_error(repo: Repo, rel: str) -> Finding | None:
    if repo.python_ast(rel) is not None:
        return None
    text = repo.text(rel)
    if text is None:
        return Finding(
            f"{rel} is not UTF-8 text, so {PYTHON_READERS} did not examine it. Save it as UTF-8.",
            rel,
        )
    try:
        ast.parse(text, filename=rel)
    except SyntaxError as error:
        return Finding(
            f"Python {_RUNNING} cannot parse {rel} ({error.msg}), so {PYTHON_READERS} did not "
            f"examine it.{_newer_python(repo)} Otherwise fix the syntax error.",
            rel,
            error.lineno,
        )
    except ValueError as error:  # null bytes
        return Finding(f"{rel} cannot be parsed ({error}): {PYTHON_READERS} skipped it.", rel)
    return None


def _newer_python(repo: Repo) -> str:
    requires = str(repo.pyproject.get("project", {}).get("requires-python", ""))
    match = re.search(r">=?\s*3\.(\d+)", requires)
    if match and int(match[1]) > sys.version_info.minor:
        return (
            f" The project requires Python {requires}: run the audit under that version "
            f"(`uvx --python 3.{match[1]} --from govkit govkit audit .`) to examine it."
        )
    return " If it uses syntax of a newer Python, run the audit under that version."


def data_error(repo: Repo, rel: str, kind: str) -> Finding | None:
    text = repo.text(rel)
    if text is None:
        return Finding(f"{rel} is not UTF-8 text, so the audit could not read it.", rel)
    line: int | None = None
    try:
        if kind == "yaml":
            # syntax only: application tags (mkdocs' `!ENV`, ...) are valid YAML
            list(yaml.compose_all(text, Loader=yaml.SafeLoader))
        elif kind == "toml":
            tomllib.loads(text)
        else:
            json.loads(text)
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = str(getattr(error, "problem", None) or error).splitlines()[0]
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found[1]) if found else None
        reason = str(error)
    except ValueError as error:
        line = getattr(error, "lineno", None)
        reason = getattr(error, "msg", str(error))
    return Finding(
        f"{rel} is not valid {kind.upper()} ({reason}), so the checks that read it did not "
        f"examine it. Fix it and validate it with a {kind.upper()} parser.",
        rel,
        line,
    )


def unparseable_files(repo: Repo) -> list[Finding]:
    """Every file the audit reads that does not parse, at the line where parsing stopped."""
    found: list[Finding] = []
    files = read_files(repo)
    for rel in files["python"]:
        error = python_error(repo, rel)
        if error is not None:
            found.append(error)
    for kind in ("yaml", "toml", "json"):
        for rel in files[kind]:
            error = data_error(repo, rel, kind)
            if error is not None:
                found.append(error)
    return found


@register
class PRS101(Check):
    """Every file the audit reads parses (unreadable files are named, never skipped silently)"""

    scope = "health"
    kinds = frozenset({"unparseable-file"})
    family = "code-health"
    severity = "P2"
    ticket = "T01"
    applies = EVERY_REPOSITORY

    def check(self, repo: Repo, profile: Profile) -> list[Finding]:
        return unparseable_files(repo)
