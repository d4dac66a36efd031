"""The repository profile: what a repository is, computed once, and what is not its own code."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkit.audit import run_audit
from govkit.errors import UsageError
from govkit.profile import profile_of
from govkit.repo import Repo

ROOT = Path(__file__).resolve().parents[1]


def write(root: Path, files: dict[str, str]) -> Repo:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Repo(root)


SWALLOWING = "def f():\n    try:\n        g()\n    except Exception:\n        print('x')\n"


def test_vendored_generated_and_docs_code_are_not_the_repository_s_code(tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "src/pkg/core.py": "x = 1\n",
            "src/pkg/_vendor/six.py": SWALLOWING,
            "docs_src/tutorial/main.py": SWALLOWING,
            "examples/demo.py": SWALLOWING,
            "src/pkg/api_pb2.py": SWALLOWING,
            "lib/bundled/thing.py": SWALLOWING,
            "lib/made/gen.py": SWALLOWING,
            "lib/guide/example.py": SWALLOWING,
            "lib/mine/local.py": SWALLOWING,
            ".gitattributes": "lib/bundled/** linguist-vendored\n"
            "lib/made/* linguist-generated=true\n"
            "lib/guide/** linguist-documentation\n*.py -linguist-vendored\n",
            "pyproject.toml": '[tool.govkit]\nkind = "service"\nexclude = ["lib/mine/**"]\n',
        },
    )
    profile = profile_of(repo)
    assert profile.application_python_files == ("src/pkg/core.py",)
    assert profile.not_own_code("src/pkg/_vendor/six.py") == "vendored"
    assert profile.not_own_code("docs_src/tutorial/main.py") == "documentation"
    assert profile.not_own_code("src/pkg/api_pb2.py") == "generated"
    assert profile.not_own_code("lib/bundled/thing.py") == ".gitattributes linguist-vendored"
    assert profile.not_own_code("lib/made/gen.py") == ".gitattributes linguist-generated"
    assert profile.not_own_code("lib/guide/example.py") == ".gitattributes linguist-documentation"
    assert profile.not_own_code("lib/mine/local.py") == "[tool.govkit] exclude lib/mine/**"
    results = {r.check.id(): r for r in run_audit(repo, select=["CH102", "CH103"]).results}
    assert results["CH102"].status.value == "pass"
    assert results["CH103"].status.value == "pass"


@pytest.mark.parametrize(
    ("files", "kind"),
    [
        ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["fastapi>=0.1"]\n'}, "service"),
        ({"requirements.txt": "Django==4.2\n", "manage.py": ""}, "service"),
        ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["attrs"]\n'}, "library"),
        ({"pyproject.toml": '[project]\nname = "x"\n[project.scripts]\nx = "x:main"\n'}, "cli"),
        ({"cookiecutter.json": "{}", "{{cookiecutter.slug}}/setup.py": ""}, "template"),
        ({"backend/pyproject.toml": "", "frontend/package.json": "{}"}, "monorepo"),
        ({"pyproject.toml": '[tool.govkit]\nkind = "service"\n'}, "service"),
    ],
)
def test_kind(tmp_path: Path, files: dict[str, str], kind: str) -> None:
    assert profile_of(write(tmp_path, files)).kind == kind


TORTOISE = '[project]\nname = "x"\ndependencies = ["tortoise-orm", "aerich"]\n'


@pytest.mark.parametrize(
    ("files", "orm", "tool"),
    [
        ({"requirements.txt": "sqlalchemy\nalembic\n"}, "sqlalchemy", "alembic"),
        (
            {"pyproject.toml": '[project]\nname="x"\ndependencies=["tortoise-orm", "aerich"]\n'},
            "tortoise",
            "aerich",
        ),
        ({"requirements/base.txt": "django>=4\n"}, "django", "django"),
        ({"pyproject.toml": '[tool.poetry.dependencies]\nsqlmodel = "*"\n'}, "sqlmodel", None),
        ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pluggy"]\n'}, None, None),
    ],
)
def test_orm_and_migration_tool(
    tmp_path: Path, files: dict[str, str], orm: str | None, tool: str | None
) -> None:
    profile = profile_of(write(tmp_path, files))
    assert (profile.orm, profile.migration_tool) == (orm, tool)
    assert profile.database is (orm is not None or tool is not None)


def test_package_managers_and_ci(tmp_path: Path) -> None:
    profile = profile_of(
        write(
            tmp_path,
            {
                "pyproject.toml": "[tool.poetry]\nname = 'x'\n",
                "poetry.lock": "",
                "web/package.json": '{"dependencies": {"react": "18"}}',
                "web/bun.lockb": "",
                ".gitlab-ci.yml": "test: {script: [pytest]}\n",
                ".github/workflows/ci.yml": "on: push\n",
            },
        )
    )
    assert profile.package_managers == {"poetry", "bun"}
    assert profile.ci == {"gitlab-ci", "github-actions"}
    assert profile.frontend
    assert profile.languages == frozenset()


def test_bad_configuration_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="kind must be one of"):
        profile_of(write(tmp_path, {"pyproject.toml": '[tool.govkit]\nkind = "website"\n'}))
    with pytest.raises(UsageError, match="exclude must be a list"):
        profile_of(write(tmp_path, {"pyproject.toml": '[tool.govkit]\nexclude = "x"\n'}))


def test_this_repository() -> None:
    profile = profile_of(Repo(ROOT))
    assert profile.kind == "monorepo"
    assert profile.web_framework == "fastapi"
    assert (profile.orm, profile.migration_tool) == ("sqlalchemy", "alembic")
    assert "uv" in profile.package_managers
    assert "github-actions" in profile.ci
