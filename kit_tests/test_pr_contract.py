"""`govkit pr check` on GitHub `pull_request` event payloads: every broken contract named."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from govkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
EVENT = ROOT / "kit_tests" / "fixtures" / "pr" / "pull_request.opened.json"
PUSH = ROOT / "kit_tests" / "fixtures" / "pr" / "push.json"
TEMPLATE = (ROOT / ".github" / "pull_request_template.md").read_text()


def event() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EVENT.read_text())
    return data


def body() -> str:
    return str(event()["pull_request"]["body"])


def section(text: str, title: str) -> str:
    """The `## title` section of TEXT, heading included, up to the next `## `."""
    match = re.search(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", text, re.M | re.S)
    assert match, title
    return match.group(0)


def with_section(text: str, title: str, replacement: str) -> str:
    return text.replace(section(text, title), replacement)


def run(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    body_text: str | None = None,
    labels: list[str] | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[int, list[str]]:
    """`govkit pr check` on this repository, with the event GitHub would write."""
    data = copy.deepcopy(payload or event())
    if body_text is not None:
        data["pull_request"]["body"] = body_text
    if labels is not None:
        data["pull_request"]["labels"] = [
            {"id": i, "name": name, "color": "ededed", "default": False, "description": None}
            for i, name in enumerate(labels)
        ]
    path = tmp_path / "event.json"
    path.write_text(json.dumps(data))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
    code = main(["pr", "check", str(ROOT)])
    out = capsys.readouterr()
    assert out.err == ""
    return code, out.out.splitlines()


@pytest.fixture
def check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Any:
    def call(**kwargs: Any) -> tuple[int, list[str]]:
        return run(tmp_path, capsys, monkeypatch, **kwargs)

    return call


def test_a_good_pull_request_passes(check: Any) -> None:
    assert check() == (
        0,
        [f"pull request #57 keeps the contract of {'.github/pull_request_template.md'}"],
    )


@pytest.mark.parametrize("title", ["Scope", "Validation", "Risk", "Rollback", "Linked issue"])
def test_a_section_left_as_the_template_is_empty(check: Any, title: str) -> None:
    text = with_section(body(), title, section(TEMPLATE, title))
    code, lines = check(body_text=text)
    assert code == 1
    assert f'section `## {title}` is empty: fill it in ("n/a" needs a reason)' in lines
    assert len(lines) >= 2  # one line per problem, then the summary
    assert lines[-1].startswith(f"{len(lines) - 1} problem(s) with pull request #57")


def test_ticked_boxes_or_a_bare_na_do_not_fill_a_section(check: Any) -> None:
    validation = section(TEMPLATE, "Validation").replace("- [ ]", "- [x]")
    text = with_section(body(), "Validation", validation)
    text = with_section(text, "Rollback", "## Rollback\n\nn/a\n\n")
    code, lines = check(body_text=text)
    assert code == 1
    assert 'section `## Validation` is empty: fill it in ("n/a" needs a reason)' in lines
    assert 'section `## Rollback` is empty: fill it in ("n/a" needs a reason)' in lines


def test_a_reasoned_na_fills_a_section(check: Any) -> None:
    text = with_section(body(), "Rollback", "## Rollback\n\nn/a: documentation only.\n\n")
    assert check(body_text=text)[0] == 0


def test_a_deleted_section_is_missing(check: Any) -> None:
    code, lines = check(body_text=with_section(body(), "Rollback", ""))
    assert code == 1
    assert "section `## Rollback` is missing: keep the template's sections" in lines


@pytest.mark.parametrize(
    ("linked", "expected"),
    [
        ("Closes #", "no linked ticket: write `Closes #123` (one ticket per pull request)"),
        ("Refs #42", "no linked ticket: write `Closes #123` (one ticket per pull request)"),
        (
            "Closes #42\nFixes acme/billing#7",
            "2 linked tickets (acme/govkit#42, acme/billing#7): link exactly one with a closing "
            "keyword, mention the others with `Refs #N`",
        ),
        (
            "Resolves https://github.com/acme/govkit/issues/43 and closes #42",
            "2 linked tickets (acme/govkit#43, acme/govkit#42): link exactly one with a closing "
            "keyword, mention the others with `Refs #N`",
        ),
    ],
)
def test_not_exactly_one_linked_ticket(check: Any, linked: str, expected: str) -> None:
    text = with_section(body(), "Linked issue", f"## Linked issue\n\n{linked}\n\n")
    code, lines = check(body_text=text)
    assert code == 1
    assert expected in lines


def test_the_same_ticket_linked_twice_is_one_ticket(check: Any) -> None:
    linked = (
        "## Linked issue\n\nCloses #42 (https://github.com/acme/govkit/issues/42; fixes #42)\n\n"
    )
    assert check(body_text=with_section(body(), "Linked issue", linked))[0] == 0


def test_ticked_ai_box_without_the_label(check: Any) -> None:
    code, lines = check(labels=["area:backend", "priority:P1", "effort:S"])
    assert code == 1
    assert lines[0] == (
        "the `source: ai-assisted` box is ticked but the label `source:ai-assisted` is missing"
    )


def test_ai_label_without_the_ticked_box(check: Any) -> None:
    code, lines = check(
        body_text=body().replace("- [x] source: ai-assisted", "- [ ] source: ai-assisted")
    )
    assert code == 1
    assert lines[0] == (
        "the label `source:ai-assisted` is set but the `source: ai-assisted` box is not ticked"
    )


def test_a_human_change_needs_neither(check: Any) -> None:
    text = body().replace("- [x] source: ai-assisted", "- [ ] source: ai-assisted")
    assert check(body_text=text, labels=["area:backend"])[0] == 0


def test_the_ai_box_removed_from_the_body(check: Any) -> None:
    text = with_section(body(), "Disclosure", "## Disclosure\n\nWritten by hand.\n")
    code, lines = check(body_text=text, labels=["area:backend"])
    assert code == 1
    assert lines[0].startswith("the `source: ai-assisted` box was removed")


def test_unknown_labels(check: Any) -> None:
    code, lines = check(labels=["source:ai-assisted", "bug", "Area:Backend"])
    assert code == 1
    assert lines[:-1] == [
        "label `bug` is not defined in .github/labels.yml: remove it, or add it there first"
    ]  # label names ignore case, as on GitHub


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        ("", "no risk level: add `Risk level: low` (one of low, medium, high)"),
        (
            "Risk level: low | medium | high",
            "risk level still lists every choice: keep one of low, medium, high",
        ),
        ("Risk level: critical", "risk level `critical` is not one of low, medium, high"),
    ],
)
def test_risk_level_outside_the_list(check: Any, risk: str, expected: str) -> None:
    code, lines = check(body_text=body().replace("Risk level: low", risk))
    assert code == 1
    assert expected in lines


def test_risk_level_is_read_case_insensitively(check: Any) -> None:
    assert check(body_text=body().replace("Risk level: low", "Risk level: **Medium**"))[0] == 0


def test_an_empty_description_breaks_every_rule(check: Any) -> None:
    payload = event()
    payload["pull_request"]["body"] = None  # what GitHub sends for an empty description
    code, lines = check(payload=payload)
    assert code == 1
    for title in ("Scope", "Validation", "Risk", "Rollback", "Linked issue", "Disclosure"):
        assert f"section `## {title}` is missing: keep the template's sections" in lines
    assert "no linked ticket: write `Closes #123` (one ticket per pull request)" in lines


def test_the_body_is_never_executed(check: Any) -> None:
    """A body crafted for script injection is only text to govkit."""
    hostile = body().replace(
        "- Changed: the price", '- Changed: "; touch /tmp/pwned-by-pr #$(id) `id` the price'
    )
    assert check(body_text=hostile)[0] == 0
    assert not Path("/tmp/pwned-by-pr").exists()


def test_the_contract_is_the_repositorys_own_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / ".github").mkdir(parents=True)
    (repo / ".github" / "pull_request_template.md").write_text(
        "## Summary\n\n## Testing\n\nHow you tested it.\n\n## Ticket\n\nFixes #\n"
    )
    (repo / ".github" / "labels.yml").write_text("labels:\n  - name: bug\n")
    good = "## Summary\n\nFaster search.\n\n## Testing\n\nbenchmarks\n\n## Ticket\n\nFixes #9\n"
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    body_file = tmp_path / "body.md"
    body_file.write_text(good)
    assert main(["pr", "check", str(repo), "--body-file", str(body_file), "--label", "bug"]) == 0
    assert (
        capsys.readouterr().out
        == "the pull request keeps the contract of .github/pull_request_template.md\n"
    )
    body_file.write_text(good.replace("benchmarks", ""))
    assert main(["pr", "check", str(repo), "--body-file", str(body_file)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        'section `## Testing` is empty: fill it in ("n/a" needs a reason)',
        "1 problem(s) with the pull request (contract: .github/pull_request_template.md); "
        "edit its description or labels, then re-run this check",
    ]


def test_body_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(body()))
    code = main(["pr", "check", str(ROOT), "--body-file", "-", "--label", "source:ai-assisted"])
    assert (code, capsys.readouterr().out.count("\n")) == (0, 1)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ([], None, "no pull request to check: run it in a pull_request workflow"),
        ([], str(PUSH), "the event has no `pull_request` (is this a pull_request event?)"),
        (["--label", "bug"], None, "--label describes a local pull request"),
        (["--event", "/nonexistent/event.json"], None, "cannot read the event payload"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    message: str,
) -> None:
    if env is None:
        monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    else:
        monkeypatch.setenv("GITHUB_EVENT_PATH", env)
    assert main(["pr", "check", str(ROOT), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_a_repository_without_a_template_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pr", "check", str(tmp_path), "--body-file", str(EVENT)]) == 2
    assert "has no pull request template" in capsys.readouterr().err


def test_the_ci_job_reads_the_event_file_and_reruns_on_edits() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pr-contract.yml").read_text())
    types = set(workflow[True]["pull_request"]["types"])  # YAML 1.1 reads `on` as True
    assert {"opened", "edited", "synchronize", "labeled", "unlabeled"} <= types
    runs = [step["run"] for step in workflow["jobs"]["pr-contract"]["steps"] if "run" in step]
    assert runs[-1] == "nox -s pr-contract"
    assert not any("${{" in run for run in runs)  # the body never reaches a script
    ruleset = json.loads((ROOT / ".github" / "rulesets" / "default-branch.json").read_text())
    required = [
        check["context"]
        for rule in ruleset["rules"]
        if rule["type"] == "required_status_checks"
        for check in rule["parameters"]["required_status_checks"]
    ]
    assert "pr-contract" in required
