"""The check framework: explicit registration, the kinds vocabulary, findings, facts, selection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govkit.checks import Check, Finding, Status, all_checks, run_checks
from govkit.checks.base import (
    EVERY_REPOSITORY,
    Applies,
    CheckDefinitionError,
    findings_of,
    register,
)
from govkit.checks.kinds import KINDS
from govkit.cli import main
from govkit.repo import Repo

ROOT = Path(__file__).resolve().parents[1]


def test_kinds_are_the_corpus_vocabulary() -> None:
    text = (ROOT / "kit_tests/fixtures/corpus/KINDS.md").read_text()
    assert set(re.findall(r"^- `([a-z0-9-]+)`:", text, re.M)) == set(KINDS)


def test_every_check_declares_scope_and_known_kinds() -> None:
    checks = all_checks()
    assert len({c.id() for c in checks}) == len(checks)
    for check in checks:
        assert check.scope in {"health", "adoption"}
        assert check.kinds <= set(KINDS)
    adoption = {c.id() for c in checks if c.scope == "adoption"}
    # the kit's own conventions never weigh on health
    assert {"ADR101", "RB101", "AGT101", "BP101", "LBL101", "GH107", "SEC102", "MG101"} <= adoption


def _define(**attributes: object) -> type[Check]:
    def check(self: Check, repo: Repo) -> None:
        return None

    namespace: dict[str, object] = {
        "__doc__": "A title",
        "__module__": "tests.test_check_framework",
        "family": "ci",
        "severity": "P1",
        "ticket": "T01",
        "scope": "health",
        "kinds": frozenset({"no-ci"}),
        "applies": EVERY_REPOSITORY,
        "check": check,
    }
    namespace.update(attributes)
    return type("ZZ901", (Check,), {k: v for k, v in namespace.items() if v is not None})


@pytest.mark.parametrize(
    ("attributes", "error"),
    [
        ({"kinds": frozenset({"not-a-kind"})}, "unknown kind"),
        ({"scope": None}, "scope must be one of"),
        ({"kinds": None}, "kinds must be a frozenset"),
        ({"ticket": None}, "ticket must be"),
        ({"__doc__": None}, "no docstring"),
        ({"family": "misc"}, "family must be one of"),
        ({"applies": None}, "applies must say"),
        ({"applies": Applies(kinds=frozenset({"website"}))}, "unknown repository kind"),
        ({"applies": Applies(needs=("kubernetes",))}, "unknown need"),
    ],
)
def test_registration_refuses_a_check_missing_metadata(
    attributes: dict[str, object], error: str
) -> None:
    with pytest.raises(CheckDefinitionError, match=error):
        register(_define(**attributes))


def test_registration_refuses_an_unknown_fact() -> None:
    def check(self: Check, repo: Repo, weather: str) -> None:
        return None

    with pytest.raises(CheckDefinitionError, match="unknown fact"):
        register(_define(check=check))


def test_results_become_findings() -> None:
    assert findings_of(None) == ()
    assert findings_of([]) == ()
    assert findings_of("fix it") == (Finding("fix it"),)
    here = Finding("wrong", "a.py", 3)
    assert findings_of(here) == (here,)
    assert findings_of(iter([here, here])) == (here, here)
    with pytest.raises(TypeError):
        findings_of(["not a finding"])  # type: ignore[list-item]


def test_findings_fail_with_their_places(tmp_path: Path) -> None:
    def check(self: Check, repo: Repo) -> list[Finding]:
        return [Finding("one", "a.py", 1), Finding("two", "b.py")]

    cls = _define(check=check)
    [outcome] = run_checks(Repo(tmp_path), [cls])
    assert outcome.status is Status.FAIL
    assert outcome.message == "a.py:1: one\nb.py: two"
    assert [f.path for f in outcome.findings] == ["a.py", "b.py"]
    [passing] = run_checks(Repo(tmp_path), [_define()])
    assert passing.status is Status.PASS


def test_select_and_ignore_by_prefix_and_family(tmp_path: Path) -> None:
    checks = all_checks()
    ran = {o.check.id() for o in run_checks(Repo(tmp_path), checks, select=["GH10"])}
    assert ran == {c.id() for c in checks if c.id().startswith("GH10")}
    ran = {o.check.id() for o in run_checks(Repo(tmp_path), checks, select=["ownership"])}
    assert ran == {c.id() for c in checks if c.family == "ownership"}
    ran = {o.check.id() for o in run_checks(Repo(tmp_path), checks, ignore=["GH", "docs"])}
    assert ran
    assert not any(i.startswith("GH") for i in ran)
    assert not any(c.family == "docs" for c in checks if c.id() in ran)


def test_audit_json_carries_both_scores_and_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text("def run():\n    print('x')\n")
    assert main(["audit", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data["score"], int)
    assert isinstance(data["adoption"], int)
    for entry in data["checks"]:
        assert entry["scope"] in {"health", "adoption"}
        assert isinstance(entry["kinds"], list)
        assert entry["status"] in {"pass", "fail", "skip", "ignored"}
        for finding in entry["findings"]:
            assert set(finding) == {"path", "line", "message"}


def test_check_and_audit_honour_the_same_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govkit]\nignore = { GH100 = "CI runs on the company\'s Jenkins" }\n'
    )
    assert main(["check", str(tmp_path), "--select", "GH100"]) == 0
    out = capsys.readouterr().out
    assert "CI runs on the company's Jenkins" in out
    assert main(["audit", str(tmp_path), "--select", "GH100", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)["checks"]
    assert entry["status"] == "ignored"
    assert entry["ignored_reason"] == "CI runs on the company's Jenkins"
