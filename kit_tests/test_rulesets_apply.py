"""`govkit rulesets apply` against a local fake of GitHub's rulesets API, never the real one."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govkit.cli import main
from govkit.rulesets import GitHubError, RulesetsClient, differences, github_http_client
from kit_tests.asgi_server import serve_asgi
from kit_tests.fake_github import TOKEN, FakeGitHub

RULESET = Path(__file__).parent / "fixtures/docs/good/.github/rulesets/default-branch.json"


def wanted() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULESET.read_text())
    return data


def weaker() -> dict[str, Any]:
    """The same ruleset, loosened the way people loosen it in the web UI."""
    data = wanted()
    for rule in data["rules"]:
        if rule["type"] == "pull_request":
            rule["parameters"]["required_approving_review_count"] = 0
        if rule["type"] == "required_status_checks":
            rule["parameters"]["required_status_checks"] = [{"context": "lint"}]
    data["rules"] = [r for r in data["rules"] if r["type"] != "non_fast_forward"]
    return data


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub()


@pytest.fixture
def api_url(fake: FakeGitHub) -> Iterator[str]:
    """The fake served over real HTTP by uvicorn on a free local port."""
    with serve_asgi(fake.app) as url:
        yield url


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def apply(api_url: str, *extra: str) -> int:
    return main(
        [
            "rulesets",
            "apply",
            "--repo",
            "acme/shop",
            "--file",
            str(RULESET),
            "--api-url",
            api_url,
            *extra,
        ]
    )


# The Python client.


def test_client_finds_a_ruleset_by_name_across_pages(fake: FakeGitHub, api_url: str) -> None:
    for index in range(4):
        fake.store({**wanted(), "name": f"other-{index}"})
    target = fake.store(wanted())
    with github_http_client(TOKEN, api_url) as http:
        found = RulesetsClient(http, "acme/shop").find("default-branch")
    assert found is not None
    assert found["id"] == target["id"]
    assert sum(call.endswith("/rulesets") for call in fake.calls) == 3  # three pages of two


def test_client_raises_github_error_with_the_api_message(api_url: str) -> None:
    with (
        github_http_client("wrong", api_url) as http,
        pytest.raises(GitHubError, match="HTTP 401 Bad credentials"),
    ):
        RulesetsClient(http, "acme/shop").list()


def test_client_raises_github_error_when_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connection refused
        http = github_http_client(TOKEN, f"http://127.0.0.1:{port}", timeout=2)
        with http, pytest.raises(GitHubError, match="GET /repos/acme/shop/rulesets"):
            RulesetsClient(http, "acme/shop").list()


def test_differences_ignore_what_github_adds(fake: FakeGitHub) -> None:
    assert differences(wanted(), fake.store(wanted())) == []


def test_differences_name_each_weakened_setting(fake: FakeGitHub) -> None:
    found = differences(wanted(), fake.store(weaker()))
    assert "rules[pull_request].parameters.required_approving_review_count: file 1, live 0" in (
        found
    )
    assert (
        "rules[required_status_checks].parameters.required_status_checks: tests in the "
        "file, missing live"
    ) in found
    assert any(line.startswith("rules[non_fast_forward]: file") for line in found)


def test_differences_report_rules_only_live_has() -> None:
    live = wanted()
    live["rules"].append({"type": "required_linear_history"})
    assert differences(wanted(), live) == [
        'rules[required_linear_history]: live only {"type": "required_linear_history"}, '
        "the file has no such rule"
    ]


# The command, over real HTTP.


@pytest.mark.usefixtures("token")
def test_apply_creates_the_ruleset_then_verify_matches(
    fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(api_url) == 0
    assert "created ruleset 'default-branch'" in capsys.readouterr().out
    assert [r["name"] for r in fake.rulesets.values()] == ["default-branch"]
    assert "POST /repos/acme/shop/rulesets" in fake.calls
    assert apply(api_url, "--verify") == 0
    assert "matches" in capsys.readouterr().out


@pytest.mark.usefixtures("token")
def test_verify_reports_a_weaker_live_ruleset_and_changes_nothing(
    fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = fake.store(weaker())
    assert apply(api_url, "--verify") == 1
    out = capsys.readouterr().out
    assert "differs from" in out
    assert "required_approving_review_count: file 1, live 0" in out
    assert "tests in the file, missing live" in out
    assert not [c for c in fake.calls if c.startswith(("POST", "PUT"))]
    assert fake.rulesets[stored["id"]]["rules"] == stored["rules"]


@pytest.mark.usefixtures("token")
def test_apply_updates_a_weaker_ruleset_in_place(
    fake: FakeGitHub, api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = fake.store(weaker())
    assert apply(api_url) == 0
    assert f"updated ruleset 'default-branch' (id {stored['id']})" in capsys.readouterr().out
    assert f"PUT /repos/acme/shop/rulesets/{stored['id']}" in fake.calls
    assert len(fake.rulesets) == 1
    assert differences(wanted(), fake.rulesets[stored["id"]]) == []


@pytest.mark.usefixtures("token")
def test_verify_without_a_live_ruleset_fails(
    api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(api_url, "--verify") == 1
    assert "has no ruleset named 'default-branch'" in capsys.readouterr().out


def test_missing_token_is_one_line_and_exit_2(
    api_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert apply(api_url) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "GITHUB_TOKEN is not set" in err


def test_rejected_token_is_one_line_and_exit_2(
    api_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    assert apply(api_url) == 2
    err = capsys.readouterr().err
    assert "GitHub API" in err
    assert "HTTP 401 Bad credentials" in err
    assert err.count("\n") == 1


@pytest.mark.usefixtures("token")
def test_unknown_repository_and_bad_arguments_exit_2(
    api_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "rulesets",
                "apply",
                "--repo",
                "acme/missing",
                "--file",
                str(RULESET),
                "--api-url",
                api_url,
            ]
        )
        == 2
    )
    assert "HTTP 404" in capsys.readouterr().err
    assert main(["rulesets", "apply", "--repo", "not a repo", "--file", str(RULESET)]) == 2
    assert "OWNER/NAME" in capsys.readouterr().err
    loose = tmp_path / "loose.json"
    loose.write_text(json.dumps({**wanted(), "enforcement": "evaluate"}))
    assert (
        main(
            ["rulesets", "apply", "--repo", "acme/shop", "--file", str(loose), "--api-url", api_url]
        )
        == 2
    )
    assert '"enforcement": "active"' in capsys.readouterr().err
