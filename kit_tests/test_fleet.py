"""govkit fleet audit / fleet report and govkit audit --format html, through the CLI."""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from govkit.cli import main
from govkit.fleet import run
from govkit.fleet.index import index_schema
from govkit.fleet.run import repository_names
from kit_tests.fleet_support import make_fleet, make_repository


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Three generated repositories, two with the same folder name, a file and a missing path."""
    root = tmp_path_factory.mktemp("fleet")
    repos = make_fleet(root / "clones", 1)
    repos.append(make_repository(root / "team-a" / "billing", drop=("CODEOWNERS",)))
    repos.append(make_repository(root / "team-b" / "billing", modules=5))
    (root / "notes.txt").write_text("not a repository\n")
    listing = root / "repos.txt"
    listing.write_text("# the fleet\nteam-a/billing\n\nteam-b/billing  # the other\nnotes.txt\n")
    out = root / "out"
    paths = [str(repos[0]), str(root / "missing"), "--from", str(listing)]
    code = main(["fleet", "audit", *paths, "--out", str(out), "--jobs", "2"])
    assert code == 1  # two paths could not be audited: the exit says so, the rest is written
    return out, repos


def entries(out: Path) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in load(out / "index.json")["repositories"]}


def test_index_lists_every_repository_with_scores_or_a_reason(
    fleet: tuple[Path, list[Path]],
) -> None:
    out, _ = fleet
    index = load(out / "index.json")
    jsonschema.validate(index, index_schema())
    by_name = entries(out)
    names = {"service-000", "team-a-billing", "team-b-billing", "notes.txt", "missing"}
    assert set(by_name) == names
    assert by_name["notes.txt"]["status"] == "unauditable"
    assert by_name["notes.txt"]["reason"] == "not a directory"
    assert by_name["missing"]["reason"] == "does not exist"
    billing = by_name["team-a-billing"]
    assert billing["status"] == "audited"
    assert "OWN101" in billing["failing"]["ownership"]  # its CODEOWNERS was dropped
    assert billing["adoption"] is None or 0 <= billing["adoption"] <= 100
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", billing["audited_at"])
    assert len(list((out / "history").glob("*.json"))) == 1


def test_each_repository_json_is_the_audits_own(
    fleet: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    out, repos = fleet
    single = tmp_path / "single.json"
    assert main(["audit", str(repos[2]), "--format", "json", "-o", str(single)]) == 0
    assert load(out / "team-b-billing.json") == load(single)
    entry = entries(out)["team-b-billing"]
    assert entry["health"] == load(single)["score"]
    failing = sorted(c["id"] for c in load(single)["checks"] if c["status"] == "fail")
    assert sorted(i for ids in entry["failing"].values() for i in ids) == failing


def test_workers_are_replaced_without_stalling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More audits than one process may run: fresh workers take over (CPython gh-115634)."""
    monkeypatch.setattr(run, "AUDITS_PER_PROCESS", 2)
    repos = make_fleet(tmp_path / "clones", 5, max_modules=1)
    result: list[dict[str, Any]] = []
    worker = threading.Thread(
        target=lambda: result.append(run.audit_fleet(repos, tmp_path / "out", jobs=1)),
        daemon=True,  # a deadlock fails the test below instead of hanging the run
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "fleet audit stalled once the first worker retired"
    statuses = [r["status"] for r in result[0]["repositories"]]
    assert statuses == ["audited"] * 5


def test_names_grow_parent_folders_on_a_clash_and_avoid_reserved_ones() -> None:
    paths = [Path("/x/a/svc"), Path("/x/b/svc"), Path("/y/index"), Path("/z/Odd name!")]
    assert repository_names(paths) == {
        Path("/x/a/svc"): "a-svc",
        Path("/x/b/svc"): "b-svc",
        Path("/y/index"): "y-index",
        Path("/z/Odd name!"): "Odd-name",
    }
    assert list(repository_names([Path("/index")]).values()) == ["index-2"]


def test_bad_input_gets_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "audit", "--out", str(tmp_path / "o")]) == 2
    assert "no repositories to audit" in capsys.readouterr().err
    assert main(["fleet", "audit", "--from", str(tmp_path / "nope.txt"), "--out", "o"]) == 2
    assert "cannot read --from" in capsys.readouterr().err
    assert main(["fleet", "report", str(tmp_path)]) == 2
    assert "holds no index.json and no audit JSON files" in capsys.readouterr().err
    (tmp_path / "stray.json").write_text('{"not": "an audit"}')
    assert main(["fleet", "report", str(tmp_path)]) == 2
    assert "is not a `govkit audit --format json` report" in capsys.readouterr().err


def test_audit_html_shows_scores_fixes_and_backlog(tmp_path: Path) -> None:
    repo = make_repository(tmp_path / "svc", drop=("CODEOWNERS",), modules=4)
    page = tmp_path / "audit.html"
    assert main(["audit", str(repo), "--format", "html", "-o", str(page)]) == 0
    html = page.read_text()
    audit = json.loads(_audit_json(repo, tmp_path))
    assert f'aria-label="Health: {audit["score"]}"' in html
    adoption = audit.get("adoption")  # absent before issue 20's adoption score: "n/a"
    assert f'aria-label="Adoption: {"n/a" if adoption is None else adoption}"' in html
    assert 'id="check-OWN101"' in html  # the failing check, with its fix under it
    own = next(c for c in audit["checks"] if c["id"] == "OWN101")
    assert _escaped(own["message"].splitlines()[0]) in html
    assert "30 Days (Stabilize Fundamentals)" in html
    assert "90 Days (Scale and Operate)" in html
    assert "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing to fetch


def _audit_json(repo: Path, tmp_path: Path) -> str:
    target = tmp_path / "audit.json"
    assert main(["audit", str(repo), "--format", "json", "-o", str(target)]) == 0
    return target.read_text()


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def test_fleet_report_links_heatmap_and_trend(
    fleet: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    out = tmp_path / "fleet"
    shutil.copytree(fleet[0], out)
    # A second run in the same folder: the report draws the trend from both.
    assert main(["fleet", "audit", str(fleet[1][0]), "--out", str(out), "--jobs", "1"]) == 0
    assert main(["fleet", "report", str(out)]) == 0
    html = (out / "index.html").read_text()
    heatmap = html.split('id="heatmap"', 1)[1].split("</table>", 1)[0]
    assert heatmap.count("<tr data-name=") == 1  # the second run audited one repository
    assert "2 runs kept in this folder" in html
    assert html.count("<polyline") >= 2  # the fleet's trend and service-000's sparkline
    link = re.search(r'class="fix-link" href="(service-000)\.html#check-(\w+)"', html)
    assert link is not None
    page = (out / "service-000.html").read_text()
    assert f'id="check-{link.group(2)}"' in page


def test_fleet_report_lists_unauditable_repositories(
    fleet: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    out = tmp_path / "fleet"
    shutil.copytree(fleet[0], out)
    assert main(["fleet", "report", str(out)]) == 0
    html = (out / "index.html").read_text()
    unauditable = html.split('id="unauditable"', 1)[1].split("</table>", 1)[0]
    assert "notes.txt" in unauditable
    assert "not a directory" in unauditable
    assert "does not exist" in unauditable
    rows = re.findall(r'<tr data-name="([^"]+)" data-health="(\d+)"', html)
    assert [name for name, _ in rows] == sorted(
        (n for n, e in entries(out).items() if e["status"] == "audited"),
        key=lambda n: (entries(out)[n]["health"], n),
    )


def test_report_from_gathered_artifacts_builds_the_index(
    fleet: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    """CI gathers each repository's audit JSON into one folder, with no index yet."""
    gathered = tmp_path / "gathered"
    gathered.mkdir()
    shutil.copy(fleet[0] / "team-a-billing.json", gathered / "billing.json")
    data = load(gathered / "billing.json")
    data["adoption"] = 40  # the audit JSON of issue 20: adoption and findings
    for check in data["checks"]:
        if check["status"] == "fail":
            check["findings"] = [{"path": "CODEOWNERS", "line": None, "message": "missing file"}]
    (gathered / "billing.json").write_text(json.dumps(data))
    assert main(["fleet", "report", str(gathered)]) == 0
    index = load(gathered / "index.json")
    assert [(r["name"], r["adoption"]) for r in index["repositories"]] == [("billing", 40)]
    page = (gathered / "billing.html").read_text()
    assert 'aria-label="Adoption: 40"' in page
    assert "<code>CODEOWNERS</code> missing file" in page
