"""MG101-MG103: the Alembic-first policy, one migration tree, frozen archived folders."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from govkit.checks import Skip, Status, run_checks
from govkit.checks.migrations import MANIFEST_COMMAND, MG101, MG102, MG103, SECTIONS
from govkit.repo import Repo

ROOT = Path(__file__).resolve().parents[1]


def policy(settings: str) -> str:
    body = "\n".join(f"## {title}\n\ntext\n" for title in SECTIONS)
    return f"# Migrations\n\n{body}\n```yaml\n{settings}```\n"


SETTINGS = (
    "migrations:\n  alembic: app/migrations\n  archived: [backend/sql]\n  ignore: [template/**]\n"
)


def write(root: Path, files: dict[str, str]) -> Repo:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Repo(root)


def archive(root: Path, folder: str, files: dict[str, str]) -> None:
    """An archived folder as the policy describes it: the files, ARCHIVED.md, a manifest."""
    files = {**files, "ARCHIVED.md": "Archived 2026-11-26; baseline 0001. Read-only.\n"}
    lines = []
    for name, text in sorted(files.items()):
        path = root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        lines.append(f"{hashlib.sha256(text.encode()).hexdigest()}  ./{name}\n")
    (root / folder / "MANIFEST.sha256").write_text("".join(lines), encoding="utf-8")


def good_repo(root: Path, settings: str = SETTINGS) -> Repo:
    archive(root, "backend/sql", {"001_init.sql": "create table t (id int);\n"})
    return write(
        root,
        {
            "policies/migrations.md": policy(settings),
            "app/migrations/env.py": "# alembic env\n",
            "app/migrations/script.py.mako": "",
            "app/migrations/versions/0001_baseline.py": "revision = '0001'\n",
        },
    )


# -- MG101 ---------------------------------------------------------------------------------------


def test_mg101_passes_with_the_policy_and_its_settings(tmp_path: Path) -> None:
    assert MG101().check(good_repo(tmp_path)) is None


def test_mg101_fails_without_the_policy(tmp_path: Path) -> None:
    fix = MG101().check(write(tmp_path, {"README.md": "x"}))
    assert fix is not None
    assert fix.startswith("Write policies/migrations.md")
    assert "```yaml\nmigrations:\n  alembic:" in fix


def test_mg101_names_the_missing_sections(tmp_path: Path) -> None:
    text = policy(SETTINGS).replace("## Forbidden patterns", "## Other")
    fix = MG101().check(write(tmp_path, {"policies/migrations.md": text}))
    assert fix == "Add to policies/migrations.md the section(s): '## Forbidden patterns'"


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ("other: 1\n", "no ```yaml block with a `migrations:` key"),
        ("migrations:\n  archived: []\n", "`migrations.alembic` must name the Alembic folder"),
        ("migrations:\n  alembic: m\n  archived: backend/sql\n", "`migrations.archived` must be"),
    ],
)
def test_mg101_fails_on_missing_or_invalid_settings(
    tmp_path: Path, settings: str, problem: str
) -> None:
    fix = MG101().check(write(tmp_path, {"policies/migrations.md": policy(settings)}))
    assert fix is not None
    assert problem in fix


# -- MG102 ---------------------------------------------------------------------------------------


def test_mg102_passes_with_one_tree_and_an_archived_legacy_folder(tmp_path: Path) -> None:
    assert MG102().check(good_repo(tmp_path)) is None


def test_mg102_fails_on_a_legacy_folder_outside_the_archive(tmp_path: Path) -> None:
    repo = good_repo(tmp_path)
    write(tmp_path, {"backend/db_migrations/002.sql": "alter table t add c int;\n"})
    fix = MG102().check(Repo(repo.root))
    assert fix is not None
    assert fix.splitlines()[:2] == [
        "Second migration source(s) next to app/migrations:",
        "  backend/db_migrations/",
    ]


def test_mg102_finds_a_second_alembic_tree_by_its_files(tmp_path: Path) -> None:
    good_repo(tmp_path)
    repo = write(tmp_path, {"db/schema/env.py": "", "db/schema/script.py.mako": ""})
    fix = MG102().check(repo)
    assert fix is not None
    assert "  db/schema/" in fix.splitlines()


def test_mg102_reports_only_the_outermost_folder(tmp_path: Path) -> None:
    good_repo(tmp_path)
    repo = write(tmp_path, {"legacy/migrations/sql/001.sql": ""})
    fix = MG102().check(repo)
    assert fix is not None
    assert [line for line in fix.splitlines() if line.startswith("  ")] == ["  legacy/migrations/"]


def test_mg102_leaves_ignored_folders_alone(tmp_path: Path) -> None:
    good_repo(tmp_path)
    repo = write(tmp_path, {"template/project/migrations/env.py": ""})
    assert MG102().check(repo) is None


def test_mg102_fails_when_the_alembic_folder_is_not_a_tree(tmp_path: Path) -> None:
    repo = good_repo(tmp_path, SETTINGS.replace("app/migrations", "app/alembic"))
    fix = MG102().check(repo)
    assert fix is not None
    assert fix.startswith("app/alembic (migrations.alembic in policies/migrations.md) is not")


def test_mg102_still_reports_a_second_source_without_the_policy(tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "backend/sql/001.sql": "",
            "backend/alembic/env.py": "",
            "backend/alembic/script.py.mako": "",
            "backend/alembic/versions/0001_init.py": "",
        },
    )
    outcomes = {o.check.id(): o for o in run_checks(repo, [MG101, MG102, MG103])}
    assert outcomes["MG101"].status is Status.FAIL  # the kit's policy: adoption
    assert outcomes["MG102"].status is Status.FAIL  # a second migration source: health
    assert "backend/sql/" in outcomes["MG102"].message


def test_migration_checks_do_not_apply_without_alembic(tmp_path: Path) -> None:
    repo = write(tmp_path, {"app/models.py": "from tortoise import fields\n"})
    outcomes = {o.check.id(): o for o in run_checks(repo, [MG101, MG102, MG103])}
    assert {o.status for o in outcomes.values()} == {Status.SKIP}
    assert "not Alembic" in outcomes["MG101"].message


# -- MG103 ---------------------------------------------------------------------------------------


def test_mg103_passes_when_the_archive_matches_its_manifest(tmp_path: Path) -> None:
    assert MG103().check(good_repo(tmp_path)) is None


def test_mg103_is_skipped_without_archived_folders(tmp_path: Path) -> None:
    repo = good_repo(tmp_path, SETTINGS.replace("[backend/sql]", "[]"))
    with pytest.raises(Skip, match="no archived migration folder"):
        MG103().check(repo)


def test_mg103_fails_on_an_added_file(tmp_path: Path) -> None:
    good_repo(tmp_path)
    repo = write(tmp_path, {"backend/sql/002_new.sql": "alter table t add c int;\n"})
    fix = MG103().check(repo)
    assert fix is not None
    assert fix.splitlines()[:2] == [
        "backend/sql is archived (read-only, policies/migrations.md) but differs from its "
        "MANIFEST.sha256:",
        "  added:   backend/sql/002_new.sql",
    ]
    assert "alembic revision --autogenerate" in fix


def test_mg103_fails_on_a_changed_and_a_removed_file(tmp_path: Path) -> None:
    good_repo(tmp_path)
    (tmp_path / "backend/sql/001_init.sql").write_text("create table t (id bigint);\n")
    (tmp_path / "backend/sql/ARCHIVED.md").unlink()
    fix = MG103().check(Repo(tmp_path))
    assert fix == (
        "Add backend/sql/ARCHIVED.md: the archiving date, the Alembic revision that reproduces "
        "this schema, and 'read-only: new schema changes go to Alembic'"
    )
    (tmp_path / "backend/sql/ARCHIVED.md").write_text("changed\n")
    fix = MG103().check(Repo(tmp_path))
    assert fix is not None
    assert "  changed: backend/sql/001_init.sql" in fix.splitlines()
    assert "  changed: backend/sql/ARCHIVED.md" in fix.splitlines()
    (tmp_path / "backend/sql/001_init.sql").unlink()
    fix = MG103().check(Repo(tmp_path))
    assert fix is not None
    assert "  removed: backend/sql/001_init.sql" in fix.splitlines()


def test_mg103_fails_without_a_manifest_or_with_a_broken_one(tmp_path: Path) -> None:
    good_repo(tmp_path)
    manifest = tmp_path / "backend/sql/MANIFEST.sha256"
    manifest.write_text("not a manifest line\n")
    fix = MG103().check(Repo(tmp_path))
    assert fix is not None
    assert fix.startswith("backend/sql/MANIFEST.sha256 line 1 is not `<sha256>  <path>`")
    manifest.unlink()
    assert (
        MG103().check(Repo(tmp_path))
        == f"Record backend/sql: `cd backend/sql && {MANIFEST_COMMAND}`"
    )


def test_mg103_fails_when_a_listed_folder_is_gone(tmp_path: Path) -> None:
    repo = good_repo(tmp_path, SETTINGS.replace("[backend/sql]", "[backend/sql, old/sql]"))
    fix = MG103().check(repo)
    assert fix == (
        "old/sql is listed as archived in policies/migrations.md but holds no file: "
        "remove it from the list"
    )


def test_the_documented_manifest_command_produces_a_manifest_mg103_accepts(tmp_path: Path) -> None:
    good_repo(tmp_path)
    folder = tmp_path / "backend/sql"
    (folder / "MANIFEST.sha256").unlink()
    write(folder, {"sub dir/002 spaced.sql": "select 1;\n"})
    subprocess.run(["bash", "-c", MANIFEST_COMMAND], cwd=folder, check=True)
    assert MG103().check(Repo(tmp_path)) is None
    write(folder, {"003.sql": "drop table t;\n"})
    assert "  added:   backend/sql/003.sql" in (MG103().check(Repo(tmp_path)) or "")


# -- this repository -----------------------------------------------------------------------------


def test_this_repository_follows_its_own_migration_policy() -> None:
    outcomes = {o.check.id(): o for o in run_checks(Repo(ROOT), [MG101, MG102, MG103])}
    assert outcomes["MG101"].status is Status.PASS, outcomes["MG101"].message
    assert outcomes["MG102"].status is Status.PASS, outcomes["MG102"].message


# -- a tree inside the package (what ships in a wheel) -------------------------------------------


def packaged_tree(root: Path, policy_tree: str | None) -> Repo:
    """An Alembic tree inside the service package, and optionally a policy naming POLICY_TREE."""
    files = {
        "src/shop/__init__.py": "",
        "src/shop/migrations/alembic.ini": "[alembic]\nscript_location = %(here)s\n",
        "src/shop/migrations/env.py": "# alembic env\n",
        "src/shop/migrations/script.py.mako": "",
        "src/shop/migrations/versions/0001_baseline.py": "revision = '0001'\n",
    }
    if policy_tree is not None:
        files["policies/migrations.md"] = policy(
            f"migrations:\n  alembic: {policy_tree}\n  archived: []\n  ignore: []\n"
        )
    return write(root, files)


def test_mg101_suggests_the_repositorys_own_tree(tmp_path: Path) -> None:
    fix = MG101().check(packaged_tree(tmp_path, None))
    assert fix is not None
    assert "migrations:\n  alembic: src/shop/migrations\n" in fix


def test_mg102_passes_with_the_tree_inside_the_package(tmp_path: Path) -> None:
    assert MG102().check(packaged_tree(tmp_path, "src/shop/migrations")) is None


def test_mg102_points_a_stale_setting_at_the_tree_that_exists(tmp_path: Path) -> None:
    fix = MG102().check(packaged_tree(tmp_path, "migrations"))
    assert fix == (
        "migrations (migrations.alembic in policies/migrations.md) is not an Alembic tree: "
        "point `alembic:` at the real one (src/shop/migrations)"
    )
