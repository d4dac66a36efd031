"""Migrations (T06): Alembic is the only source of the schema; legacy SQL folders are frozen.

The policy, ``policies/migrations.md``, ends with a fenced YAML block that these checks read::

    migrations:
      alembic: src/app/migrations         # the one Alembic tree
      archived: [backend/sql]             # legacy folders, read-only
      ignore: [template/**]               # folders that are not this repository's migrations

Each archived folder holds ``ARCHIVED.md`` and ``MANIFEST.sha256`` (``sha256sum`` format, paths
relative to the folder); MG103 fails when the folder's files and the manifest disagree.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from govkit.checks import _markdown
from govkit.checks.base import (
    Applies,
    Check,
    Skip,
    register,
)
from govkit.repo import Repo

POLICY = "policies/migrations.md"
SECTIONS = (
    "Adding a schema change",
    "Review rules",
    "Forbidden patterns",
    "Lock and statement timeouts",
    "Archived legacy folders",
    "Settings",
)
# Folder names that hold schema changes in the projects this kit governs.
MIGRATION_DIR_NAMES = frozenset(
    {
        "migrations",
        "migration",
        "db_migrations",
        "db_migrate",
        "sql",
        "alembic",
        "schema_migrations",
    }
)
MANIFEST = "MANIFEST.sha256"
NOTE = "ARCHIVED.md"
_MANIFEST_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
SETTINGS_SNIPPET = """```yaml
migrations:
  alembic: {tree}
  archived: []
  ignore: []
```"""
MANIFEST_COMMAND = (
    "find . -type f ! -name MANIFEST.sha256 -print0 | LC_ALL=C sort -z "
    "| xargs -0 sha256sum > MANIFEST.sha256"
)


@dataclass(frozen=True)
class Settings:
    """The machine-readable part of the migrations policy."""

    alembic: str
    archived: tuple[str, ...]
    ignore: tuple[str, ...]


def read_settings(text: str) -> Settings | str:
    """The settings from the policy's ``migrations:`` YAML block, or what is wrong with them."""
    for block in _markdown.code_blocks(text):
        try:
            data = yaml.safe_load(block)
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict) or "migrations" not in data:
            continue
        body = data["migrations"]
        if not isinstance(body, dict):
            return "`migrations:` must be a mapping"
        alembic = body.get("alembic")
        if not isinstance(alembic, str) or not alembic.strip("/"):
            return "`migrations.alembic` must name the Alembic folder"
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("archived", "ignore"):
            value = body.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                return f"`migrations.{key}` must be a list of paths"
            lists[key] = tuple(_clean(v) for v in value)
        return Settings(_clean(alembic), lists["archived"], lists["ignore"])
    return "no ```yaml block with a `migrations:` key"


def alembic_trees(repo: Repo) -> list[str]:
    """Folders holding an Alembic environment (env.py beside script.py.mako), wherever they are:
    at the root, under a service folder, or inside a package that ships them."""
    return sorted(
        path.removesuffix("/env.py")
        for path in repo.files
        if path.endswith("/env.py") and repo.exists(path.removesuffix("env.py") + "script.py.mako")
    )


def settings_snippet(repo: Repo) -> str:
    """The settings block to paste, naming this repository's Alembic tree when there is one."""
    trees = alembic_trees(repo)
    return SETTINGS_SNIPPET.format(tree=trees[0] if trees else "migrations")


def _clean(path: str) -> str:
    return path.strip().removeprefix("./").rstrip("/")


def _settings(repo: Repo) -> Settings:
    text = repo.text(POLICY)
    found = read_settings(text) if text is not None else "missing"
    if isinstance(found, str):
        raise Skip(f"{POLICY} settings: {found} (see MG101)")
    return found


def _settings_or_found(repo: Repo) -> Settings:
    """The policy's settings; without a policy (MG101 is adoption), the Alembic tree found."""
    text = repo.text(POLICY)
    found = read_settings(text) if text is not None else "missing"
    if not isinstance(found, str):
        return found
    trees = alembic_trees(repo)
    if not trees:
        raise Skip("no Alembic tree (env.py beside script.py.mako) in the repository")
    return Settings(trees[0], (), ())


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _ignored(folder: str, patterns: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatchcase(folder, p) or folder == p.removesuffix("/**").rstrip("/")
        for p in patterns
    )


class MigrationCheck(Check):
    """Schema migrations: applies to repositories with a database."""

    family = "migrations"
    ticket = "T06"
    applies = Applies(needs=("database",))


@register
class MG101(MigrationCheck):
    """The Alembic-first migration policy is published, with its settings block"""

    applies = Applies(needs=("alembic",))
    scope = "adoption"
    kinds = frozenset()
    severity = "P0"
    effort = "M"
    files_expected = (POLICY,)

    def check(self, repo: Repo) -> str | None:
        text = repo.text(POLICY)
        if text is None:
            return (
                f"Write {POLICY} (the Alembic-first policy) with the sections "
                + ", ".join(f"'## {s}'" for s in SECTIONS)
                + ", ending with:\n"
                + settings_snippet(repo)
            )
        missing = _markdown.missing(text, SECTIONS)
        if missing:
            return f"Add to {POLICY} the section(s): " + ", ".join(f"'## {s}'" for s in missing)
        found = read_settings(text)
        if isinstance(found, str):
            return f"Fix the settings of {POLICY} ({found}); end the policy with:\n" + (
                settings_snippet(repo)
            )
        return None


@register
class MG102(MigrationCheck):
    """Exactly one Alembic migration tree; no other migration or SQL folder outside the archive"""

    applies = Applies(needs=("alembic",))
    scope = "health"
    kinds = frozenset()
    severity = "P0"
    effort = "M"

    def check(self, repo: Repo) -> str | None:
        settings = _settings_or_found(repo)
        tree = settings.alembic
        if not repo.exists(f"{tree}/env.py") or not (repo.root / tree / "versions").is_dir():
            found = [t for t in alembic_trees(repo) if t != tree]
            where = (
                f"point `alembic:` at the real one ({', '.join(found)})"
                if found
                else f"create it with `alembic init {tree}` (env.py and versions/)"
            )
            return f"{tree} (migrations.alembic in {POLICY}) is not an Alembic tree: {where}"
        strays = _stray_folders(repo, settings)
        if not strays:
            return None
        listing = "\n".join(f"  {folder}/" for folder in strays)
        return (
            f"Second migration source(s) next to {tree}:\n{listing}\n"
            f"Move any pending schema change into an Alembic revision, then archive each folder "
            f"(ARCHIVED.md + MANIFEST.sha256, and add it to `archived:` in {POLICY}, see "
            f"'Archived legacy folders'); a folder that holds no migrations goes under `ignore:`."
        )


def _stray_folders(repo: Repo, settings: Settings) -> list[str]:
    """Top-most folders that look like a migration source and are not the tree or archived."""
    folders: set[str] = set()
    names: dict[str, set[str]] = {}
    for path in repo.files:
        parts = PurePosixPath(path).parts
        for depth in range(1, len(parts)):
            folders.add("/".join(parts[:depth]))
        names.setdefault("/".join(parts[:-1]), set()).add(parts[-1])
    allowed = (settings.alembic, *settings.archived)
    stray: list[str] = []
    for folder in sorted(folders):
        if any(_under(folder, a) for a in allowed) or _ignored(folder, settings.ignore):
            continue
        if any(_under(folder, s) for s in stray):
            continue  # inside a folder already reported
        files = names.get(folder, set())
        alembic_tree = {"env.py", "script.py.mako"} <= files
        if PurePosixPath(folder).name in MIGRATION_DIR_NAMES or alembic_tree:
            stray.append(folder)
    return stray


@register
class MG103(MigrationCheck):
    """Archived legacy migration folders are unchanged since they were archived"""

    applies = Applies(needs=("alembic",))
    scope = "adoption"
    kinds = frozenset()
    severity = "P1"
    requires = frozenset({"MG101"})

    def check(self, repo: Repo) -> str | None:
        settings = _settings(repo)
        if not settings.archived:
            raise Skip(f"no archived migration folder listed in {POLICY}")
        fixes = [fix for folder in settings.archived if (fix := _archive_fix(repo, folder))]
        return "\n".join(fixes) if fixes else None


def _archive_fix(repo: Repo, folder: str) -> str | None:
    files = [f for f in repo.files if f.startswith(folder + "/")]
    if not files:
        return (
            f"{folder} is listed as archived in {POLICY} but holds no file: remove it from the list"
        )
    if f"{folder}/{NOTE}" not in files:
        return (
            f"Add {folder}/{NOTE}: the archiving date, the Alembic revision that reproduces this "
            "schema, and 'read-only: new schema changes go to Alembic'"
        )
    manifest_text = repo.text(f"{folder}/{MANIFEST}")
    if manifest_text is None:
        return f"Record {folder}: `cd {folder} && {MANIFEST_COMMAND}`"
    recorded: dict[str, str] = {}
    for number, line in enumerate(manifest_text.splitlines(), 1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.match(line)
        if not match:
            return (
                f"{folder}/{MANIFEST} line {number} is not `<sha256>  <path>`: regenerate it with "
                f"`cd {folder} && {MANIFEST_COMMAND}`"
            )
        recorded[match.group(2).removeprefix("./")] = match.group(1).lower()
    problems: list[str] = []
    present: set[str] = set()
    for path in files:
        relative = path[len(folder) + 1 :]
        if relative == MANIFEST:
            continue
        present.add(relative)
        if relative not in recorded:
            problems.append(f"  added:   {path}")
        elif hashlib.sha256((repo.root / path).read_bytes()).hexdigest() != recorded[relative]:
            problems.append(f"  changed: {path}")
    problems.extend(f"  removed: {folder}/{r}" for r in sorted(recorded.keys() - present))
    if not problems:
        return None
    return (
        f"{folder} is archived (read-only, {POLICY}) but differs from its {MANIFEST}:\n"
        + "\n".join(problems)
        + "\nRestore the recorded files (`git checkout <base> -- <file>`, `git rm` what was added) "
        "and put the schema change in an Alembic revision "
        '(`uv run alembic revision --autogenerate -m "..."`). '
        f"Only a reviewed change of the archive itself regenerates the manifest: "
        f"`cd {folder} && {MANIFEST_COMMAND}`."
    )
