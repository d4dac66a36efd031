"""What a repository is, computed once from its file list and a few manifests.

The profile says which languages it uses, what kind of project it is (service, library, cli,
template, monorepo), its web framework, ORM and migration tool, package managers and CI systems,
and which paths are not its own code (vendored, generated, documentation examples: GitHub's
``linguist-*`` attributes in .gitattributes, the usual folders, and ``[tool.govkit] exclude``).
Checks take it as the ``profile`` fact and declare what they apply to from it.

``[tool.govkit]`` in pyproject.toml overrides what cannot be guessed::

    [tool.govkit]
    kind = "service"                       # service, library, cli, template or monorepo
    exclude = ["src/pkg/_vendor/**"]       # globs: not the repository's own code
    critical-flows = ["login", "checkout"] # flows that must have a test (CH104)
"""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import yaml

from govkit.errors import UsageError
from govkit.repo import Repo

RepoKind = Literal["service", "library", "cli", "template", "monorepo"]
REPO_KINDS: tuple[str, ...] = get_args(RepoKind)

_LANGUAGES = {
    ".py": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".java": "java",
    ".kt": "kotlin",
    ".php": "php",
    ".cs": "csharp",
}
_WEB_FRAMEWORKS = (
    "fastapi", "django", "flask", "litestar", "starlette", "aiohttp", "sanic", "tornado", "quart",
    "falcon", "pyramid", "bottle", "connexion", "next", "@nestjs/core", "express", "fastify",
    "nuxt", "koa", "hono",
)  # fmt: skip
# Background-job frameworks: their workers, like web servers, log to stdout.
WORKER_FRAMEWORKS = frozenset(
    {"celery", "rq", "dramatiq", "arq", "huey", "taskiq", "apscheduler", "bullmq"}
)
_FRONTEND = ("react", "vue", "svelte", "@angular/core", "solid-js", "preact", "next", "nuxt")
# dependency -> ORM name, in order of preference (sqlmodel is built on sqlalchemy)
_ORMS = (
    ("sqlmodel", "sqlmodel"), ("tortoise-orm", "tortoise"), ("flask-sqlalchemy", "sqlalchemy"),
    ("sqlalchemy", "sqlalchemy"), ("peewee", "peewee"), ("pony", "pony"), ("piccolo", "piccolo"),
    ("ormar", "ormar"), ("gino", "gino"), ("mongoengine", "mongoengine"), ("beanie", "beanie"),
    ("odmantic", "odmantic"), ("prisma", "prisma"), ("@prisma/client", "prisma"),
    ("typeorm", "typeorm"), ("sequelize", "sequelize"), ("mongoose", "mongoose"),
    ("drizzle-orm", "drizzle"),
)  # fmt: skip
_MIGRATION_TOOLS = (
    ("alembic", "alembic"), ("aerich", "aerich"), ("yoyo-migrations", "yoyo"),
    ("piccolo", "piccolo"), ("prisma", "prisma"), ("knex", "knex"), ("flyway", "flyway"),
)  # fmt: skip
# Folders that hold someone else's code, generated code or documentation examples.
VENDORED_DIRS = frozenset(
    {"_vendor", "vendor", "vendored", "_vendored", "third_party", "thirdparty"}
)
GENERATED_DIRS = frozenset({"generated", "_generated", "__generated__"})
DOCS_DIRS = frozenset(
    {"docs", "doc", "docs_src", "examples", "example", "tutorial", "tutorials", "samples"}
)
_GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py", ".min.js", ".min.css")
# Not shipped code either: tests, tooling, migrations, the template's sources.
_NON_APPLICATION_DIRS = frozenset(
    {"tests", "test", "testing", "fixtures", "bench", "benchmarks", "scripts", "tools",
     "migrations", "alembic", "template", "templates"}
)  # fmt: skip
_NON_APPLICATION_NAMES = frozenset({"conftest.py", "noxfile.py", "setup.py", "conf.py"})
_CI_FILES = (
    (".gitlab-ci.yml", "gitlab-ci"), (".circleci/config.yml", "circleci"),
    ("circle.yml", "circleci-1.0"), (".travis.yml", "travis"),
    ("azure-pipelines.yml", "azure-pipelines"), ("Jenkinsfile", "jenkins"),
    ("bitbucket-pipelines.yml", "bitbucket-pipelines"), (".drone.yml", "drone"),
    ("appveyor.yml", "appveyor"), (".woodpecker.yml", "woodpecker"),
)  # fmt: skip
_LOCKS = (
    ("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pdm.lock", "pdm"), ("Pipfile.lock", "pipenv"),
    ("package-lock.json", "npm"), ("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"),
    ("bun.lockb", "bun"), ("bun.lock", "bun"),
)  # fmt: skip
_PART_MANIFESTS = frozenset(
    {"pyproject.toml", "setup.py", "package.json", "go.mod", "Cargo.toml", "pom.xml"}
)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.M)
_SETUP_REQUIREMENT = re.compile(r"[\"'\s]([A-Za-z][\w.-]+)\s*[<>=~!\"',\n]")
_LINGUIST = re.compile(r"(-?)linguist-(vendored|generated|documentation)(=\w+)?")


@dataclass(frozen=True)
class Profile:
    """What the repository is; see the module docstring."""

    kind: str
    kind_reason: str
    languages: frozenset[str]
    web_framework: str | None
    frontend: bool
    orm: str | None
    migration_tool: str | None
    package_managers: frozenset[str]
    ci: frozenset[str]
    parts: tuple[str, ...]  # top-level folders with their own manifest (a monorepo's parts)
    dependencies: frozenset[str]
    critical_flows: tuple[str, ...]
    kit_stamped: bool  # stamped from this kit's Copier template (.copier-answers.yml)
    excluded: dict[str, str] = field(repr=False)  # path -> why it is not the repository's code
    application_python_files: tuple[str, ...] = field(repr=False)

    @property
    def database(self) -> bool:
        return self.orm is not None or self.migration_tool is not None

    @property
    def served(self) -> bool:
        """Runs as a server or worker, whose stdout is the log stream (not a tool's output)."""
        return (
            self.web_framework is not None
            or self.kind == "service"
            or bool(self.dependencies & WORKER_FRAMEWORKS)
        )

    def not_own_code(self, path: str) -> str | None:
        """Why a path is not the repository's own code (vendored, ...), or None."""
        return self.excluded.get(path)

    def summary(self) -> list[str]:
        def names(values: frozenset[str]) -> str:
            return ", ".join(sorted(values)) or "none"

        return [
            f"Kind: {self.kind} ({self.kind_reason})",
            f"Languages: {names(self.languages)}",
            f"Web framework: {self.web_framework or 'none'}",
            f"ORM / migrations: {self.orm or 'none'} / {self.migration_tool or 'none'}",
            f"Package managers: {names(self.package_managers)}",
            f"CI: {names(self.ci)}",
            f"Not own code (vendored, generated, docs examples, excluded): {len(self.excluded)}",
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "languages": sorted(self.languages),
            "web_framework": self.web_framework,
            "frontend": self.frontend,
            "orm": self.orm,
            "migration_tool": self.migration_tool,
            "package_managers": sorted(self.package_managers),
            "ci": sorted(self.ci),
            "parts": list(self.parts),
            "critical_flows": list(self.critical_flows),
            "excluded_files": len(self.excluded),
        }


def profile_of(repo: Repo) -> Profile:
    """The repository's profile, computed once per Repo."""
    return repo.memo("profile", lambda: _compute(repo))


def _compute(repo: Repo) -> Profile:
    config = repo.govkit_config
    excluded = _excluded(repo, _config_list(config, "exclude"))
    own = [f for f in repo.files if f not in excluded]
    languages = frozenset(lang for f in own if (lang := _LANGUAGES.get(_suffix(f))) is not None)
    manifests = [f for f in repo.files if f.count("/") <= 2]
    python_deps, pyprojects = _python_dependencies(repo, manifests)
    js_deps = _js_dependencies(repo, manifests)
    deps = frozenset(python_deps | js_deps)
    web = next((w for w in _WEB_FRAMEWORKS if w in deps), None)
    if web is None and any(_name(f) == "manage.py" for f in manifests):
        web = "django"
    orm = next((name for dep, name in _ORMS if dep in deps), None)
    if orm is None and web == "django":
        orm = "django"
    migration = _migration_tool(repo, deps, orm)
    parts = tuple(
        sorted(
            {
                f.split("/")[0]
                for f in manifests
                if f.count("/") == 1
                and f.split("/")[1] in _PART_MANIFESTS
                and f.split("/")[0] not in DOCS_DIRS | _NON_APPLICATION_DIRS
            }
        )
    )
    kind, reason = _kind(repo, config, web, parts, pyprojects)
    answers = copier_answers(repo)
    return Profile(
        kind=kind,
        kind_reason=reason,
        languages=languages,
        web_framework=web,
        frontend=any(f in deps for f in _FRONTEND),
        orm=orm,
        migration_tool=migration,
        package_managers=_package_managers(repo, manifests, pyprojects),
        ci=_ci(repo),
        parts=parts,
        dependencies=deps,
        critical_flows=_config_list(config, "critical-flows"),
        kit_stamped="govkit_source" in answers or "kit_repository" in answers,
        excluded=excluded,
        application_python_files=tuple(
            f for f in own if f.endswith(".py") and not _non_application(f)
        ),
    )


def _config_list(config: dict[str, Any], key: str) -> tuple[str, ...]:
    value = config.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f'[tool.govkit] {key} must be a list of strings: {key} = ["..."]')
    return tuple(v.strip() for v in value)


def _excluded(repo: Repo, patterns: tuple[str, ...]) -> dict[str, str]:
    attributes = _linguist_attributes(repo)
    found: dict[str, str] = {}
    for path in repo.files:
        why = _why_excluded(path, attributes, patterns)
        if why is not None:
            found[path] = why
    return found


def _why_excluded(
    path: str, attributes: list[tuple[str, str]], patterns: tuple[str, ...]
) -> str | None:
    for pattern in patterns:
        if _glob(path, pattern):
            return f"[tool.govkit] exclude {pattern}"
    for pattern, attribute in attributes:
        if _gitattributes_match(path, pattern):
            return f".gitattributes linguist-{attribute}"
    # string operations, not pathlib: this runs for every file of the repository
    *parents, name = path.split("/")
    folders = set(parents)
    if folders & VENDORED_DIRS:
        return "vendored"
    if folders & GENERATED_DIRS or name.endswith(_GENERATED_SUFFIXES):
        return "generated"
    if folders & DOCS_DIRS or any(f.endswith(("_examples", "-examples")) for f in parents):
        return "documentation"
    if any("{{" in folder and "}}" in folder for folder in parents):
        return "template source (a Jinja-named folder)"
    return None


def _linguist_attributes(repo: Repo) -> list[tuple[str, str]]:
    """(pattern, vendored|generated|documentation) set in the root .gitattributes."""
    found: list[tuple[str, str]] = []
    for line in (repo.text(".gitattributes") or "").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        for attribute in words[1:]:
            match = _LINGUIST.fullmatch(attribute)
            if match and not match.group(1) and match.group(3) not in ("=false", "=0"):
                found.append((words[0], match.group(2)))
    return found


def _gitattributes_match(path: str, pattern: str) -> bool:
    """Git's pattern rules, simplified: no slash matches the name at any depth; else anchored."""
    pattern = pattern.removeprefix("/")
    if "/" not in pattern.rstrip("/"):
        name = pattern.rstrip("/")
        return any(fnmatch.fnmatchcase(part, name) for part in path.split("/"))
    return _glob(path, pattern.rstrip("/")) or _glob(path, pattern.rstrip("/") + "/**")


def _glob(path: str, pattern: str) -> bool:
    """fnmatch, where `dir/**` also matches everything under dir and `**/` any folder depth."""
    return (
        fnmatch.fnmatchcase(path, pattern)
        or fnmatch.fnmatchcase(path, pattern.replace("**/", ""))
        or (pattern.endswith("/**") and path.startswith(pattern.removesuffix("**")))
    )


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _non_application(path: str) -> bool:
    *parents, name = path.split("/")
    return (
        bool(_NON_APPLICATION_DIRS.intersection(parents))
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name in _NON_APPLICATION_NAMES
    )


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _python_dependencies(repo: Repo, manifests: list[str]) -> tuple[set[str], list[dict[str, Any]]]:
    deps: set[str] = set()
    pyprojects: list[dict[str, Any]] = []
    for rel in manifests:
        name = _name(rel)
        if name == "pyproject.toml":
            try:
                data = tomllib.loads(repo.text(rel) or "")
            except tomllib.TOMLDecodeError:
                continue
            pyprojects.append(data)
            deps |= _pyproject_dependencies(data)
        elif (
            (name.startswith("requirements") and name.endswith((".txt", ".in")))
            or ("requirements" in rel.split("/")[:-1] and name.endswith(".txt"))
        ) and not _DEV.search(name.removeprefix("requirements")):
            deps |= {_normal(m) for m in _REQUIREMENT.findall(repo.text(rel) or "")}
        elif name in {"setup.py", "setup.cfg", "Pipfile"}:
            text = repo.text(rel) or ""
            deps |= {
                _normal(m) for m in re.findall(r"[\"'\s]([A-Za-z][\w.-]+)\s*[<>=~!\"',\n]", text)
            }
    return deps, pyprojects


# Extras and requirement files for development, not for running the code.
_DEV = re.compile(
    r"(?:^|[-_./])(?:dev|develop|tests?|testing|lint|docs?|typing|mypy|ci|bench)(?:$|[-_./\d])",
    re.I,
)


def _pyproject_dependencies(data: dict[str, Any]) -> set[str]:
    """The runtime dependencies: not `[dependency-groups]`, dev/test extras or poetry dev groups."""
    specs: list[str] = []
    project = data.get("project", {})
    if isinstance(project, dict):
        specs += [s for s in project.get("dependencies", []) if isinstance(s, str)]
        for extra, group in (project.get("optional-dependencies") or {}).items():
            if not _DEV.search(str(extra)):
                specs += [s for s in group if isinstance(s, str)]
    names = {_normal(m.group(1)) for s in specs if (m := _REQUIREMENT.match(s))}
    poetry = data.get("tool", {}).get("poetry", {})
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies", {})]
        tables += [
            g.get("dependencies", {})
            for name, g in (poetry.get("group") or {}).items()
            if isinstance(g, dict) and not _DEV.search(str(name))
        ]
        names |= {_normal(n) for table in tables if isinstance(table, dict) for n in table}
    return names


def _js_dependencies(repo: Repo, manifests: list[str]) -> set[str]:
    deps: set[str] = set()
    for rel in manifests:
        if _name(rel) != "package.json":
            continue
        try:
            data = json.loads(repo.text(rel) or "{}")
        except ValueError:
            continue
        if isinstance(data, dict):
            for key in ("dependencies", "devDependencies", "peerDependencies"):
                table = data.get(key)
                deps |= set(table) if isinstance(table, dict) else set()
    return deps


def _migration_tool(repo: Repo, deps: frozenset[str], orm: str | None) -> str | None:
    if "alembic" in deps or any(_name(f) in {"alembic.ini", "script.py.mako"} for f in repo.files):
        return "alembic"
    tool = next((name for dep, name in _MIGRATION_TOOLS if dep in deps), None)
    if tool is not None:
        return tool
    if orm == "django" or any(re.search(r"/migrations/0001_\w+\.py$", f) for f in repo.files):
        return "django"
    return None


def _kind(
    repo: Repo,
    config: dict[str, Any],
    web: str | None,
    parts: tuple[str, ...],
    pyprojects: list[dict[str, Any]],
) -> tuple[str, str]:
    declared = config.get("kind")
    if declared is not None:
        if declared not in REPO_KINDS:
            raise UsageError(f"[tool.govkit] kind must be one of {', '.join(REPO_KINDS)}")
        return declared, "[tool.govkit] kind"
    if any(repo.exists(f) for f in ("copier.yml", "copier.yaml", "cookiecutter.json")) or any(
        "{{" in f.split("/", 1)[0] for f in repo.files if "/" in f
    ):
        return "template", "a Copier or Cookiecutter template"
    if len(parts) >= 2:
        return "monorepo", f"parts with their own manifest: {', '.join(parts)}"
    if web is not None:
        return "service", f"web framework {web}"
    if any(_scripts(data) for data in pyprojects) and not repo.exists("Dockerfile"):
        return "cli", "console scripts in pyproject.toml"
    if repo.exists("Dockerfile") or repo.exists("docker-compose.yml"):
        return "service", "a Dockerfile"
    return "library", "no web framework, console script or container"


def _scripts(data: dict[str, Any]) -> bool:
    project = data.get("project", {})
    poetry = data.get("tool", {}).get("poetry", {})
    return bool(
        (isinstance(project, dict) and project.get("scripts"))
        or (isinstance(poetry, dict) and poetry.get("scripts"))
    )


def _package_managers(
    repo: Repo, manifests: list[str], pyprojects: list[dict[str, Any]]
) -> frozenset[str]:
    names = {_name(f) for f in manifests}
    found = {manager for lock, manager in _LOCKS if lock in names}
    tools = {t for data in pyprojects for t in (data.get("tool") or {})}
    found |= {t for t in ("poetry", "pdm", "hatch", "uv") if t in tools}
    if "hatch.toml" in names:
        found.add("hatch")
    if any(n.startswith("requirements") and n.endswith(".txt") for n in names) or (
        "setup.py" in names
    ):
        found.add("pip")
    if "package.json" in names and not found & {"npm", "pnpm", "yarn", "bun"}:
        found.add("npm")
    return frozenset(found)


def _ci(repo: Repo) -> frozenset[str]:
    found = {name for path, name in _CI_FILES if repo.exists(path)}
    if repo.workflow_files:
        found.add("github-actions")
    return frozenset(found)


def copier_answers(repo: Repo) -> dict[str, Any]:
    try:
        answers = repo.yaml(".copier-answers.yml")
    except yaml.YAMLError:
        return {}
    return answers if isinstance(answers, dict) else {}
