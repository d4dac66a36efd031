"""govkit audit on a messy repository modelled on the seed's pricing app, and on this repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govkit.audit import run_audit
from govkit.audit.backlog import render_backlog
from govkit.cli import main
from govkit.repo import Repo

ROOT = Path(__file__).resolve().parents[1]

MAIN_PY = """\
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])


@app.on_event("startup")
async def startup_event():
    print("starting pricing app")
    try:
        warm_caches()
    except Exception:
        print("cache warm-up failed")
"""

ENDPOINT_PY = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/items/{n}")
def read(n: int):
    try:
        return load(n)
    except Exception as e:
        return {"error": str(e)}


@router.post("/items")
def create():
    try:
        return save()
    except Exception:
        pass
"""

VITE_README = """# React + Vite

This template provides a minimal setup to get React working in Vite with HMR and some ESLint rules.
"""


def make_messy_repo(root: Path) -> Path:
    app = root / "backend" / "app"
    (app / "api" / "endpoints").mkdir(parents=True)
    (app / "main.py").write_text(MAIN_PY)
    (root / "backend" / "requirements.txt").write_text("fastapi\n")
    (app / "config.py").write_text(
        'DEBUG = True\nSECRET_KEY = "k3y-9f8a7b6c5d4e"\n'  # pragma: allowlist secret
    )
    for i in range(12):
        (app / "api" / "endpoints" / f"module_{i}.py").write_text(ENDPOINT_PY)
    for legacy in ("migrations", "db_migrations", "sql"):
        (root / "backend" / legacy).mkdir()
        (root / "backend" / legacy / "001_init.sql").write_text("CREATE TABLE t (id int);\n")
    (root / "backend" / "alembic").mkdir()
    (root / "backend" / "alembic" / "env.py").write_text("from alembic import context\n")
    (root / "backend" / "alembic.ini").write_text("[alembic]\nscript_location = alembic\n")
    frontend = root / "frontend" / "src"
    frontend.mkdir(parents=True)
    (root / "frontend" / "package.json").write_text(
        '{"name": "frontend", "dependencies": {"react": "^18.3.1"}}\n'
    )
    (root / "frontend" / "README.md").write_text(VITE_README)
    for i in range(5):
        (frontend / f"Page{i}.jsx").write_text("export default () => null;\n")
    (root / "README.md").write_text("# Pricing app\n\nA pricing app.\n")
    (root / "pyproject.toml").write_text(
        '[tool.govkit]\ncritical-flows = ["login", "price update", "sync"]\n'
    )
    return root


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_messy_repo(tmp_path_factory.mktemp("messy"))


def failing_tickets(root: Path) -> dict[str, set[str]]:
    audit = run_audit(Repo(root))
    tickets: dict[str, set[str]] = {}
    for result in audit.failures:
        tickets.setdefault(result.check.ticket, set()).add(result.check.id())
    return tickets


def test_messy_repository_reports_each_planted_problem(messy: Path) -> None:
    tickets = failing_tickets(messy)
    assert "CH101" in tickets["T02"]  # wildcard CORS in main.py
    assert "CH102" in tickets["T05"]  # print at startup
    assert "CH103" in tickets["T07"]  # dozens of except Exception
    assert "CH106" in tickets["T10"]  # template frontend README
    assert "GH100" in tickets["T01"]  # no CI
    assert "T06" in tickets  # three migration folders beside Alembic
    assert "CH104" in tickets["T03"]  # no tests of the critical flows it declares
    assert "CH107" in tickets["T02"]  # DEBUG = True in config.py
    assert "SEC104" in tickets["T16"]  # SECRET_KEY literal in config.py


def test_critical_flows_are_the_repository_s_own(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    [skipped] = run_audit(Repo(tmp_path), select=["CH104"]).results
    assert skipped.status.value == "skip"
    assert "critical-flows" in skipped.message
    (tmp_path / "pyproject.toml").write_text('[tool.govkit]\ncritical-flows = ["summarize"]\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_api.py").write_text("def test_login(): ...\n")
    [failed] = run_audit(Repo(tmp_path), select=["CH104"]).results
    assert "'summarize'" in failed.message
    assert "price" not in failed.message
    assert failed.findings[0].path == "pyproject.toml"
    assert failed.findings[0].line == 2
    (tmp_path / "tests/test_api.py").write_text("def test_summarize_a_page(): ...\n")
    [passed] = run_audit(Repo(tmp_path), select=["CH104"]).results
    assert passed.status.value == "pass"


def test_messy_snapshot_is_computed(messy: Path) -> None:
    snapshot = run_audit(Repo(messy)).snapshot
    assert snapshot.route_decorators == 24  # on_event is not a route
    assert snapshot.broad_except == 24 + 1
    assert snapshot.jsx_files == 5
    assert snapshot.workflows == 0
    assert snapshot.python_files == 15


def test_fix_messages_name_the_place(messy: Path) -> None:
    audit = run_audit(Repo(messy))
    by_id = {r.check.id(): r.message for r in audit.failures}
    assert "backend/app/main.py:5" in by_id["CH101"]
    assert "startup_event" in by_id["CH102"]
    assert "module_" in by_id["CH103"]


def test_messy_scores_well_below_this_repository(messy: Path) -> None:
    assert run_audit(Repo(messy)).score < 40


def test_backlog_names_the_seed_tickets(messy: Path, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.md"
    code = main(["audit", str(messy), "--backlog", str(backlog), "--format", "json"])
    assert code == 0
    text = backlog.read_text()
    for ticket in ("T01", "T02", "T05", "T06", "T07", "T10"):
        assert f"### {ticket} - " in text
    thirty, rest = text.split("## 60 Days", 1)
    assert "### T02 - " in thirty  # P0 lands in the first 30 days
    assert "### T05 - " in rest


def test_fail_under_exits_one(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(messy), "--fail-under", "90"]) == 1
    assert "below --fail-under 90" in capsys.readouterr().err


def test_json_is_stable_with_score_at_top(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", str(messy), "--format", "json"])
    first = capsys.readouterr().out
    main(["audit", str(messy), "--format", "json"])
    assert capsys.readouterr().out == first
    data = json.loads(first)
    assert isinstance(data["score"], int)
    ids = [c["id"] for c in data["checks"]]
    assert ids == sorted(ids)
    assert {"id", "family", "severity", "effort", "ticket", "status", "message"} <= set(
        data["checks"][0]
    )


def test_select_and_ignore(messy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", str(messy), "--select", "CH101,CH102", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in data["checks"]] == ["CH101", "CH102"]
    assert data["score"] == 0
    main(["audit", str(messy), "--select", "CH101,CH102", "--ignore", "CH101", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["checks"][0]["status"] == "ignored"


def test_ignore_in_pyproject_needs_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_messy_repo(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.govkit]\nignore = { CH102 = "" }\n')
    assert main(["audit", str(tmp_path)]) == 2
    assert "needs a reason" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govkit]\nignore = { CH102 = "CLI tool: print is its interface" }\n'
    )
    assert main(["audit", str(tmp_path), "--select", "CH102"]) == 0
    assert "CLI tool: print is its interface" in capsys.readouterr().out


def test_bad_input_is_one_line_exit_two(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "govkit.cli", "audit", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    result = subprocess.run(
        [sys.executable, "-m", "govkit.cli", "audit", str(tmp_path), "--select", "XX999"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown check id(s): XX999" in result.stderr


def test_this_repository_scores_100() -> None:
    audit = run_audit(Repo(ROOT))
    assert audit.failures == [], [f"{r.check.id()}: {r.message}" for r in audit.failures]
    assert audit.score == 100


def test_backlog_of_a_clean_repository_has_nothing_failing() -> None:
    text = render_backlog(run_audit(Repo(ROOT)))
    assert text.count("Nothing failing at this priority.") == 3


def test_each_file_is_read_at_most_once(messy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    original = Path.read_text

    def counting(self: Path, *args: object, **kwargs: object) -> str:
        reads.append(str(self))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting)
    run_audit(Repo(messy))
    repeated = [path for path in set(reads) if reads.count(path) > 1]
    assert reads
    assert repeated == []


def test_vendored_and_virtualenv_folders_are_skipped(tmp_path: Path) -> None:
    make_messy_repo(tmp_path)
    for skipped in (".venv/lib/app.py", "frontend/node_modules/x/main.py", ".git/hooks/x.py"):
        (tmp_path / skipped).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / skipped).write_text("print('vendored')\n")
    files = Repo(tmp_path).files
    assert not [f for f in files if f.startswith((".venv/", ".git/")) or "node_modules" in f]
