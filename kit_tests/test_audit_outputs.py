"""What `govkit audit` writes: the backlog, SARIF 2.1.0, the catalogue of checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from govkit.audit import catalog, run_audit
from govkit.audit.backlog import render_backlog
from govkit.audit.formats import CHECKS_DOC, render_sarif
from govkit.checks import all_checks
from govkit.cli import main
from govkit.repo import Repo
from kit_tests.test_audit import make_messy_repo

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "kit_tests/fixtures/sarif/sarif-schema-2.1.0.json"
PUSH_ONLY = """\
on: push
jobs:
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
      - run: ./deploy.sh
"""


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_messy_repo(tmp_path_factory.mktemp("messy"))
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/deploy.yml").write_text(PUSH_ONLY)
    return root


def test_sarif_validates_against_the_2_1_0_schema(messy: Path) -> None:
    sarif = json.loads(render_sarif(run_audit(Repo(messy))))
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)


def test_each_sarif_result_is_at_a_real_file_and_line(messy: Path) -> None:
    audit = run_audit(Repo(messy))
    sarif = json.loads(render_sarif(audit))
    [run] = sarif["runs"]
    assert len(run["results"]) == sum(len(r.findings) for r in audit.failures)
    for result in run["results"]:
        [location] = result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        line = location["physicalLocation"]["region"]["startLine"]
        lines = (messy / uri).read_text().splitlines()
        assert 1 <= line <= max(len(lines), 1), (result["ruleId"], uri, line)
    unpinned = [r for r in run["results"] if r["ruleId"] == "GH102"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in unpinned] == [
        6,
        7,
    ]


def test_sarif_rules_have_help_and_a_documented_help_uri(messy: Path) -> None:
    run = json.loads(render_sarif(run_audit(Repo(messy))))["runs"][0]
    anchors = set(re.findall(r"^## (\S+)$", (ROOT / "docs/checks.md").read_text(), re.M))
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["text"].startswith(rule["shortDescription"]["text"])
        assert rule["helpUri"] == f"{CHECKS_DOC}#{rule['id'].lower()}"
        assert rule["id"] in anchors


def test_backlog_has_one_ticket_per_seed_ticket_with_every_finding(messy: Path) -> None:
    audit = run_audit(Repo(messy))
    text = render_backlog(audit)
    tickets = re.findall(r"^### (T\d\d) - ", text, re.M)
    assert len(tickets) == len(set(tickets))
    assert set(tickets) == {r.check.ticket for r in audit.failures}
    t01 = text.split("### T01 - ", 1)[1].split("\n### ", 1)[0]
    for check_id in ("GH100", "GH101", "GH102", "GH106"):
        assert f"#### {check_id} - " in t01
    unpinned = "`.github/workflows/deploy.yml:6`: jobs.deploy.steps[0] uses `actions/checkout@v4`"
    assert unpinned in t01


def test_backlog_fixes_are_copyable_blocks(messy: Path) -> None:
    text = render_backlog(run_audit(Repo(messy)))
    blocks = re.findall(r"^(`{3,})text\n(.*?)\n\1$", text, re.M | re.S)
    yaml_fix = next(body for _, body in blocks if "on:\n  pull_request:\n  push:" in body)
    assert "jobs:\n  lint:\n    runs-on: ubuntu-24.04" in yaml_fix  # indentation kept
    fence, readme_fix = next(b for b in blocks if "python -m pip install -e ." in b[1])
    assert "```bash" in readme_fix
    assert fence == "````"  # a fence inside a longer fence


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--list-checks", "--select", "GH10", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in listed] == [f"GH10{i}" for i in range(10)]
    assert {"scope", "kinds", "applies_to", "family"} <= set(listed[0])
    assert main(["audit", "--list-checks", "--format", "sarif"]) == 2


def test_docs_checks_md_is_generated_from_the_classes() -> None:
    """`nox -s checks_doc` rewrites docs/checks.md when this fails."""
    checks = sorted(all_checks(), key=lambda c: c.id())
    assert (ROOT / "docs/checks.md").read_text() == catalog.render_markdown(checks)


def test_no_finding_names_this_kit_s_own_paths_or_owners(messy: Path) -> None:
    audit = run_audit(Repo(messy))
    for result in audit.failures:
        for text in (result.message, *(f.message for f in result.findings)):
            for own in ("reference_app", "pricing_service", "pricing-service", "@acme/"):
                assert own not in text, (result.check.id(), own)
